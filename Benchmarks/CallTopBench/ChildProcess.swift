import Foundation

/// Runs other programs: one-shot commands (timed) and loopback servers that
/// announce `LISTENING <port>` on their first line of output.
enum ChildProcess {
    struct Outcome {
        var status: Int32
        var seconds: Double
        var output: String
    }

    /// Runs `executable` to completion; stdout and stderr go to a file (never a
    /// pipe that could fill). The time covers spawn to exit.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                    currentDirectory: URL? = nil) throws -> Outcome {
        let logURL = FileManager.default.temporaryDirectory.appendingPathComponent("calltop-bench-out-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: logURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: logURL) }
        let log = try FileHandle(forWritingTo: logURL)
        defer { try? log.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        let start = DispatchTime.now().uptimeNanoseconds
        try process.run()
        process.waitUntilExit()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let output = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
        return Outcome(status: process.terminationStatus, seconds: seconds, output: output)
    }

    /// Finds a program on PATH.
    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}

/// A server in a child process that prints `LISTENING <port>` first. Its
/// output goes to a file, polled for that line. `stop()` ends it (SIGTERM, then SIGKILL).
final class ListeningServer {
    let process: Process
    let port: Int
    private let logURL: URL

    init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, timeout: Double = 120) throws {
        logURL = FileManager.default.temporaryDirectory.appendingPathComponent("calltop-bench-server-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try? log.close()
        let deadline = Date().addingTimeInterval(timeout)
        var found: Int?
        while found == nil {
            let text = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n") where line.hasPrefix("LISTENING ") {
                found = Int(line.dropFirst("LISTENING ".count).trimmingCharacters(in: .whitespaces))
            }
            if found != nil { break }
            if !process.isRunning || Date() > deadline {
                let why = process.isRunning ? "no LISTENING line within \(Int(timeout)) s" : "exited with status \(process.terminationStatus)"
                if process.isRunning { process.terminate() }
                throw BenchFailure("\(URL(fileURLWithPath: executable).lastPathComponent) \(why): \(text.suffix(600))")
            }
            usleep(20_000)
        }
        port = found!
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            for _ in 0..<100 where process.isRunning { usleep(20_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: logURL)
    }
}
