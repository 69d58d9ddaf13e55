import Foundation
import Testing

/// `calltop demo --with-webhooks` in tmux: the simulator plays Twilio's
/// callbacks to the in-process webhook stack, transcripts settle and are
/// delivered to the demo's test receiver, and the dashboard marks them.
@Suite(.serialized, .enabled(if: Tmux.available, "tmux is installed by `make setup`"))
struct DemoWebhooksTests {
    /// Call SIDs whose delivery the store records as delivered, read as a user would.
    func deliveredCalls(dataDir: String) -> [String] {
        guard let result = try? CalltopBinary.run(["list", "--json", "--data-dir", dataDir], timeout: 10), result.status == 0,
              let rows = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] else { return [] }
        return rows.filter { $0["delivery"] as? String == "delivered" }.compactMap { $0["call_sid"] as? String }
    }

    @Test(.timeLimit(.minutes(1)))
    func demoWithWebhooksDeliversAndTheListMarksIt() throws {
        let started = Date()
        let dir = NSTemporaryDirectory() + "calltop-demo-webhooks-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // One shell word (Tmux quotes each): the exit status shows on the screen after `q`.
        let script = "\(CalltopBinary.url.path) demo --with-webhooks --data-dir \(dir); echo demo exited with $?"
        let t = try Tmux(command: ["sh", "-c", script], width: 140, height: 40)

        let on = t.waitFor(timeout: 15) { $0.contains("DEMO") && $0.contains("webhooks on") }
        #expect(on.ok, "the status line should say webhooks are on:\n\(on.screen)")

        var delivered: [String] = []
        while delivered.isEmpty && Date().timeIntervalSince(started) < 40 {
            delivered = deliveredCalls(dataDir: dir)
            if delivered.isEmpty { Thread.sleep(forTimeInterval: 0.5) }
        }
        #expect(!delivered.isEmpty, "no delivery recorded in \(dir) after \(Int(Date().timeIntervalSince(started))) s")

        let marked = t.waitFor(timeout: 8) { $0.contains("✓") }
        #expect(marked.ok, "no ✓ on the list although \(delivered.count) call(s) were delivered:\n\(marked.screen)")

        t.send("q")
        let exited = t.waitFor(timeout: 8) { $0.contains("demo exited with") }
        #expect(exited.ok && exited.screen.contains("demo exited with 0"), "\(exited.screen)")
    }
}
