import CallTopCore
import Foundation
import Synchronization

/// A PostgreSQL cluster of the tests' own (`scripts/pg-throwaway.sh`): initdb in
/// a temporary directory, pg_ctl on a free loopback port, SCRAM password logins.
/// One per test process, started on first use; the script's watcher stops it
/// and deletes its directory once this process exits, however it exits.
public final class ThrowawayPostgres: Sendable {
    /// The superuser's URL on database `calltop` (it may create roles and databases).
    public let urlText: String
    public let url: DatabaseURL
    public let directory: URL
    private let counter = Atomic<Int>(0)

    private static let started = Mutex<Result<ThrowawayPostgres, any Error>?>(nil)

    /// The process's cluster, started once.
    public static func shared() throws -> ThrowawayPostgres {
        try started.withLock { state in
            if state == nil { state = Result { try ThrowawayPostgres() } }
            return try state!.get()
        }
    }

    public static var script: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/pg-throwaway.sh")
    }

    /// A cluster of the caller's own (a test that stops its server must not stop everyone's).
    public static func startPrivate() throws -> ThrowawayPostgres { try ThrowawayPostgres() }

    /// Stops the server, waits `seconds`, and starts it again on the same port: an outage.
    public func restart(downFor seconds: Int) throws {
        _ = try Self.run(["restart", directory.path, String(seconds)])
    }

    private init() throws {
        directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("calltop-pg-\(UUID().uuidString.prefix(8))")
        let out = try Self.run(["start", directory.path, "--watch", String(getpid())])
        guard let line = out.split(separator: "\n").first(where: { $0.hasPrefix("URL ") }) else {
            throw Failure(message: "pg-throwaway.sh printed no URL: \(out)")
        }
        urlText = String(line.dropFirst(4))
        url = try DatabaseURL.parse(urlText)
    }

    /// A new, empty database on the cluster: each test gets its own store.
    public func freshDatabase() throws -> (url: DatabaseURL, text: String) {
        let name = "t\(getpid())_\(counter.add(1, ordering: .relaxed).newValue)"
        let out = try Self.run(["createdb", directory.path, name])
        guard let line = out.split(separator: "\n").first(where: { $0.hasPrefix("URL ") }) else {
            throw Failure(message: "pg-throwaway.sh createdb printed no URL: \(out)")
        }
        let text = String(line.dropFirst(4))
        return (try DatabaseURL.parse(text), text)
    }

    /// Runs SQL as the superuser with psql (roles and grants, which the store never does itself).
    public func psql(_ sql: String, database: String = "calltop") throws {
        let bin = try FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql").sorted().last.map { "/usr/lib/postgresql/\($0)/bin/psql" } ?? "psql"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: bin)
        p.arguments = ["-qAt", "-v", "ON_ERROR_STOP=1", "-h", url.host, "-p", String(url.port), "-U", url.user, "-d", database, "-c", sql]
        p.environment = ["PGPASSWORD": url.password ?? "", "PATH": "/usr/bin:/bin"]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw Failure(message: "psql failed: " + String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Through popen, not Foundation's Process: its waitUntilExit never returned here once
    /// the script had left a background watcher behind (the child stayed a zombie).
    private static func run(_ arguments: [String]) throws -> String {
        let quoted = ([script.path] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        guard let pipe = popen("/bin/bash " + quoted.joined(separator: " ") + " 2>&1", "r") else {
            throw Failure(message: "could not run pg-throwaway.sh: errno \(errno)")
        }
        var output = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&buffer, 1, buffer.count, pipe)
            if n <= 0 { break }
            output.append(contentsOf: buffer[0..<n])
        }
        let status = pclose(pipe)
        let text = String(decoding: output, as: UTF8.self)
        guard status == 0 else { throw Failure(message: "pg-throwaway.sh \(arguments.first ?? "") failed (\(status)): \(text)") }
        return text
    }
}
