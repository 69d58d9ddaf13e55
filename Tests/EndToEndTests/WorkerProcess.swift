import Foundation

/// `calltop worker` in the background, read until it says it started (and,
/// with `--metrics-port`, printed its LISTENING line); what a systemd unit runs.
final class WorkerProcess {
    let process = Process()
    /// The metrics port, when `--metrics-port` was given.
    let metricsPort: Int?
    private let errorLog: URL

    init(env: [String: String], arguments: [String]) throws {
        let (out, errorLog) = try ChildCalltop.launch(process, arguments: ["worker"] + arguments, env: env, logName: "worker")
        self.errorLog = errorLog
        let wantsPort = arguments.contains("--metrics-port")
        var text = ""
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, !text.contains("calltop worker ") {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard text.contains("calltop worker ") else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw WorkerFailed(stderr: (try? String(contentsOf: errorLog, encoding: .utf8)) ?? "")
        }
        metricsPort = wantsPort ? text.split(separator: "\n").first { $0.hasPrefix("LISTENING ") }.flatMap { Int($0.split(separator: " ")[1]) } : nil
        DispatchQueue.global().async { _ = out.fileHandleForReading.readDataToEndOfFile() }
    }

    struct WorkerFailed: Error, CustomStringConvertible {
        var stderr: String
        var description: String { "worker did not start: \(stderr)" }
    }

    var stderr: String { (try? String(contentsOf: errorLog, encoding: .utf8)) ?? "" }
    var pid: Int32 { process.processIdentifier }

    func get(_ path: String) throws -> (Int, String) {
        try HTTP.request("http://127.0.0.1:\(metricsPort ?? 0)\(path)")
    }

    /// Sends SIGTERM and waits for the exit: (status, seconds it took).
    func terminate(timeout: TimeInterval = 60) -> (Int32, TimeInterval) {
        let start = Date()
        kill(process.processIdentifier, SIGTERM)
        while process.isRunning && Date().timeIntervalSince(start) < timeout { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return (process.terminationStatus, Date().timeIntervalSince(start))
    }

    func killHard() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
    }
}
