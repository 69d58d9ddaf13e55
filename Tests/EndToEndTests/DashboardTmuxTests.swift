import Foundation
import Testing

/// The real dashboard (`calltop demo`) in tmux, read off the screen.
@Suite(.serialized, .enabled(if: Tmux.available, "tmux is installed by `make setup`"))
struct DashboardTmuxTests {
    func demo(width: Int, height: Int, extra: [String] = [], env: [String: String] = [:]) throws -> Tmux {
        let dir = NSTemporaryDirectory() + "calltop-tmux-\(UUID().uuidString.prefix(8))"
        return try Tmux(command: [CalltopBinary.url.path, "demo", "--data-dir", dir] + extra, width: width, height: height, env: env)
    }

    @Test func demoShowsRowsDownloadsAndWhyFailuresFailed() throws {
        let t = try demo(width: 120, height: 40)
        let started = Date()
        let rows = t.waitFor(timeout: 10) { $0.contains("DEMO") && $0.contains("downloaded") }
        #expect(rows.ok, "\(rows.screen)")
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(rows.screen.contains("→"), "arrows need a UTF-8 locale")
        // The not-ready and rate-limited ones settle; the xml_error one fails and says why.
        let settled = t.waitFor(timeout: 20) { !$0.contains("not_ready") && !$0.contains("retrying") && $0.contains("failed") }
        #expect(settled.ok, "\(settled.screen)")
        #expect(settled.screen.contains("absent"))

        t.send("f")  // show: failed
        let failedOnly = t.waitFor { $0.contains("failed") && !$0.contains(" downloaded  ") }
        #expect(failedOnly.ok, "\(failedOnly.screen)")
        t.send("Enter")
        let detail = t.waitFor { $0.contains("Attempts (1)") }
        #expect(detail.ok, "\(detail.screen)")
        #expect(detail.screen.contains("instead of audio"))
        t.send("r")
        let retried = t.waitFor { $0.contains("Attempts (2)") }
        #expect(retried.ok, "\(retried.screen)")
        t.send("q")
        let quit = t.waitFor { !$0.contains("DEMO") }
        #expect(quit.ok)
    }

    @Test func helpFilterAndResizeDownToTooSmall() throws {
        let t = try demo(width: 80, height: 24)
        #expect(t.waitFor(timeout: 10) { $0.contains("downloaded") }.ok)
        t.send("?")
        let help = t.waitFor { $0.contains("Keys") && $0.contains("Moving around") && $0.contains("next call") }
        #expect(help.ok, "\(help.screen)")
        t.send("Escape")
        t.send("/")
        t.send("absent")
        // Two: the demo's absent recording and its encrypted one Twilio never stored (16105, final like absent).
        let filtered = t.waitFor { $0.contains("/absent") && $0.contains("2 of 40") }
        #expect(filtered.ok, "\(filtered.screen)")
        t.send("Escape")
        t.send("Escape")
        for (w, h) in [(60, 15), (50, 12), (120, 40), (70, 20)] {
            t.resize(width: w, height: h)
            let s = t.waitFor(timeout: 5) { screen in
                w < 60 ? screen.lowercased().contains("too small") : screen.contains("DEMO") && screen.contains("→")
            }
            #expect(s.ok, "at \(w)x\(h): \(s.screen)")
        }
        t.send("q")
    }

    @Test func readonlySaysSoAndChangesNothing() throws {
        let t = try demo(width: 120, height: 40, extra: ["--readonly"])
        let screen = t.waitFor(timeout: 10) { $0.contains("READONLY") && $0.contains("pending") }
        #expect(screen.ok, "\(screen.screen)")
        t.send("R")
        let said = t.waitFor { $0.lowercased().contains("read-only") || $0.lowercased().contains("readonly") && $0.contains("R") }
        #expect(said.ok)
        Thread.sleep(forTimeInterval: 2)
        #expect(!t.screen().contains(" downloaded "), "nothing downloads in read-only mode")
        t.send("q")
    }

    @Test func transcribeFromTheDashboardWhileItStaysResponsive() throws {
        let t = try demo(width: 120, height: 40)
        #expect(t.waitFor(timeout: 10) { $0.contains(" 1/40") && $0.contains("downloaded") }.ok)
        t.send("t")
        t.send("j")
        t.send("Enter")
        // The keys after `t` are handled at once: the second call's detail opens while Whisper works.
        let moved = t.waitFor(timeout: 2) { $0.contains("no-answer") && $0.contains("Call SID") }
        #expect(moved.ok, "\(moved.screen)")
        t.send("Escape")
        let done = t.waitFor(timeout: 90) { $0.contains("OFFLINE") }
        #expect(done.ok, "\(done.screen)")
        t.send("k")
        t.send("Enter")
        let detail = t.waitFor { $0.contains("Transcript") && $0.contains("offline") && $0.contains("faster-whisper") }
        #expect(detail.ok, "\(detail.screen)")
        t.send("q")
    }

    @Test func anotherProcessesWritesShowUpWithoutWaitingForTheRefresh() throws {
        let sim = try SimulatorProcess()
        var env = sim.env
        env["CALLTOP_HOME"] = NSTemporaryDirectory() + "calltop-watch-\(UUID().uuidString.prefix(8))"
        #expect(try CalltopBinary.run(["sync"], env: env).status == 0)
        // Read-only: the dashboard downloads nothing itself; the refresh is 60 s away.
        let t = try Tmux(command: [CalltopBinary.url.path, "--readonly", "--refresh", "60"], width: 120, height: 40, env: env)
        let before = t.waitFor(timeout: 10) { $0.contains("READONLY") && $0.contains("pending") }
        #expect(before.ok, "\(before.screen)")
        #expect(!before.screen.contains(" downloaded "))
        #expect(try CalltopBinary.run(["download", "--pending", "--wait", "10"], env: env).status == 0)
        let after = t.waitFor(timeout: 8) { $0.contains("downloaded") && !$0.contains(" pending ") }
        #expect(after.ok, "\(after.screen)")
        t.send("q")
    }
}
