import Foundation
import Testing

/// The dashboard killed by a signal leaves the terminal as it found it: echo
/// and line editing on, the normal screen back. Run under `sh -c` (not an
/// interactive shell, which would repair the terminal itself), then `stty -a`.
@Suite(.serialized, .enabled(if: Tmux.available, "tmux is installed by `make setup`"))
struct DashboardSignalTests {
    /// The pid of the calltop whose command line holds `marker` (a unique data dir).
    func pid(holding marker: String) -> pid_t? {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = pid_t(entry),
                  let cmdline = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { continue }
            let args = cmdline.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if args.first?.hasSuffix("/calltop") == true, args.contains(marker) { return pid }
        }
        return nil
    }

    @Test(arguments: [SIGTERM, SIGINT, SIGHUP, SIGABRT])
    func theTerminalIsRestoredAfter(_ sig: Int32) throws {
        let base = NSTemporaryDirectory() + "calltop-signal-\(UUID().uuidString.prefix(8))"
        let data = base + "-data"
        let stty = base + "-stty"
        let script = "\(CalltopBinary.url.path) demo --data-dir \(data); stty -a > \(stty); echo AFTER-CALLTOP"
        let t = try Tmux(command: ["sh", "-c", script], width: 100, height: 30)
        let up = t.waitFor(timeout: 20) { $0.contains("DEMO") }
        #expect(up.ok, "\(up.screen)")
        let target = try #require(pid(holding: data), "calltop demo is not running")
        #expect(kill(target, sig) == 0)
        let after = t.waitFor(timeout: 15) { $0.contains("AFTER-CALLTOP") }
        #expect(after.ok, "\(after.screen)")
        #expect(!after.screen.contains("DEMO"), "the dashboard is still on the screen:\n\(after.screen)")
        let settings = try String(contentsOfFile: stty, encoding: .utf8)
        let flags = Set(settings.split { $0 == " " || $0 == "\n" || $0 == ";" }.map(String.init))
        for flag in ["echo", "icanon", "icrnl", "isig"] {
            #expect(flags.contains(flag) && !flags.contains("-" + flag), "\(flag) after signal \(sig): \(settings)")
        }
    }
}
