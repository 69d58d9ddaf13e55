import Foundation

/// Starts the built `calltop` in the background as a service would run it:
/// a minimal environment plus `env`, stdin closed, stderr to a temporary file
/// (read when it fails), stdout on a pipe the caller reads its start-up line from.
enum ChildCalltop {
    static func launch(_ process: Process, arguments: [String], env: [String: String], logName: String) throws -> (stdout: Pipe, errorLog: URL) {
        let errorLog = URL(fileURLWithPath: NSTemporaryDirectory() + "calltop-\(logName)-\(UUID().uuidString.prefix(8)).stderr")
        FileManager.default.createFile(atPath: errorLog.path, contents: nil)
        process.executableURL = CalltopBinary.url
        process.arguments = arguments
        var environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": NSTemporaryDirectory(), "LANG": "C.UTF-8"]
        environment.merge(env) { $1 }
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        process.standardError = try FileHandle(forWritingTo: errorLog)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return (out, errorLog)
    }
}
