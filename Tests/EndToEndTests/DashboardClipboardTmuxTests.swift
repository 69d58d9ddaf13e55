import Foundation
import Testing

/// `y` in the real dashboard sends OSC 52; tmux (set-clipboard on) keeps what
/// it sets as a paste buffer, which is what a terminal over ssh would get.
@Suite(.serialized, .enabled(if: Tmux.available, "tmux is installed by `make setup`"))
struct DashboardClipboardTmuxTests {
    @Test func yCopiesTheSelectedCallSidThroughOSC52() throws {
        let dir = NSTemporaryDirectory() + "calltop-tmux-\(UUID().uuidString.prefix(8))"
        let t = try Tmux(command: [CalltopBinary.url.path, "demo", "--data-dir", dir], width: 120, height: 40)
        try t.run(["set-option", "-g", "set-clipboard", "on"])
        let rows = t.waitFor(timeout: 15) { $0.contains("DEMO") && $0.contains("downloaded") }
        #expect(rows.ok, "\(rows.screen)")
        t.send("y")
        let copied = t.waitFor { $0.contains("copied CA") }
        #expect(copied.ok, "\(copied.screen)")
        let sid = copied.screen.firstMatch(of: /copied (CA[0-9a-f]{32})/).map { String($0.output.1) }
        #expect(sid != nil)
        var buffer = ""
        let deadline = Date().addingTimeInterval(5)
        while buffer.isEmpty && Date() < deadline {
            buffer = (try? t.run(["show-buffer"])) ?? ""
            if buffer.isEmpty { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(buffer == sid, "tmux paste buffer: '\(buffer)'")
        // The screen is intact: the sequence was not drawn as text.
        #expect(!t.screen().contains("]52;"))
        t.send("o")
        #expect(t.waitFor { $0.contains("demo call, not in the Twilio Console") }.ok)
        t.send("q")
    }
}
