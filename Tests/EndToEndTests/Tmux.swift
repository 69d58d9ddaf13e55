import Foundation

/// Drives a program in a private tmux server, as a person at a terminal would:
/// keys in with send-keys, the screen out with capture-pane.
final class Tmux {
    let socket = "calltop-e2e-\(UUID().uuidString.prefix(8))"
    let session = "t"

    init(command: [String], width: Int, height: Int, env: [String: String] = [:]) throws {
        var args = ["new-session", "-d", "-s", session, "-x", "\(width)", "-y", "\(height)", "-e", "LANG=C.UTF-8", "-e", "TERM=xterm-256color"]
        for (k, v) in env { args += ["-e", "\(k)=\(v)"] }
        args.append(command.map { "'\($0)'" }.joined(separator: " ") + "; sleep 30")
        // The server started here inherits our stdout: give it none, or reading would never see EOF.
        try run(args, capture: false)
    }

    deinit { _ = try? run(["kill-server"]) }

    /// posix_spawn + waitpid rather than Foundation.Process: the tmux server
    /// that `new-session` forks inherits Process's bookkeeping descriptors, and
    /// Process then never sees the client exit.
    @discardableResult
    func run(_ args: [String], capture: Bool = true) throws -> String {
        let outPath = NSTemporaryDirectory() + "tmux-out-\(UUID().uuidString.prefix(8))"
        defer { unlink(outPath) }
        let argv = ["/usr/bin/tmux", "-L", socket, "-f", "/dev/null"] + args
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, capture ? outPath : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var cArgs = argv.map { strdup($0) } + [nil]
        defer { for a in cArgs { free(a) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, argv[0], &actions, nil, &cArgs, environ) == 0 else { throw CocoaError(.executableLoad) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return capture ? ((try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "") : ""
    }

    func send(_ keys: String...) { _ = try? run(["send-keys", "-t", session] + keys) }

    func screen() -> String { (try? run(["capture-pane", "-p", "-t", session])) ?? "" }

    func resize(width: Int, height: Int) {
        _ = try? run(["resize-window", "-t", session, "-x", "\(width)", "-y", "\(height)"])
    }

    /// Waits until the screen satisfies `condition`; returns the last screen either way.
    @discardableResult
    func waitFor(timeout: TimeInterval = 15, _ condition: (String) -> Bool) -> (ok: Bool, screen: String) {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = screen()
            if condition(last) { return (true, last) }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return (false, last)
    }

    static var available: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") }
}
