import Foundation

/// Runs the built `calltop` binary as a user would, with a clean environment.
struct CalltopBinary {
    static let url: URL = {
        // Tests run from the package root; the binary sits beside the test bundle.
        let candidates = [
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("calltop"),
            URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".build/debug/calltop"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[1]
    }()

    typealias Result = Shell.Result

    static func run(_ arguments: [String], env: [String: String] = [:], timeout: TimeInterval = 120) throws -> Result {
        var environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": NSTemporaryDirectory(), "LANG": "C.UTF-8"]
        environment.merge(env) { $1 }
        return try Shell.run(url.path, arguments, env: environment, timeout: timeout)
    }
}

final class Mutable<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}

/// `calltop simulator` in the background, read until it prints its port.
final class SimulatorProcess {
    let process = Process()
    let port: Int
    let env: [String: String]

    init(_ arguments: [String] = []) throws {
        process.executableURL = CalltopBinary.url
        process.arguments = ["simulator", "--calls", "8"] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let (ports, text) = ListeningLine.read(out, timeout: 60) { $0.contains("TWILIO_AUTH_TOKEN=") }
        guard let port = ports.first else { process.terminate(); throw CocoaError(.fileReadUnknown) }
        self.port = port
        var env: [String: String] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("export ") {
            let pair = line.dropFirst("export ".count).split(separator: "=", maxSplits: 1)
            if pair.count == 2 { env[String(pair[0])] = String(pair[1]) }
        }
        self.env = env
    }

    deinit {
        process.terminate()
        process.waitUntilExit()
    }
}

/// Reads a child's stdout until its `LISTENING <port> [<port>…]` line (and
/// whatever `ready` also wants to have seen) arrives, or the timeout passes.
enum ListeningLine {
    static func read(_ out: Pipe, timeout: TimeInterval, ready: (String) -> Bool = { _ in true }) -> (ports: [Int], text: String) {
        var buffer = Data()
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            let text = String(decoding: buffer, as: UTF8.self)
            // Whole lines only: a port cut by a chunk boundary must not be read as a shorter one.
            let complete = text[..<(text.lastIndex(of: "\n") ?? text.startIndex)]
            if let line = complete.split(separator: "\n").first(where: { $0.hasPrefix("LISTENING ") }), ready(text) {
                let ports = line.split(separator: " ").dropFirst().compactMap { Int($0) }
                if !ports.isEmpty { return (ports, text) }
            }
        }
        return ([], String(decoding: buffer, as: UTF8.self))
    }
}
