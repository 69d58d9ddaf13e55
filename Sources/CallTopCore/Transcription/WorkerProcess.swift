import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a worker process reports, in the order it happened: every stdout
/// line comes before `.exited`, so a result written just before a crash is
/// never lost.
enum WorkerEvent: Sendable {
    case line(String)
    case exited(status: Int32, stderrTail: String)
}

/// One Python worker process and its pipes. No policy: SpeechWorker decides
/// when to start, kill and restart.
final class WorkerProcess: @unchecked Sendable {
    // @unchecked: `process` and the pipes are set up in init and then only
    // used through thread-safe calls (run, kill, file handle writes); the
    // mutable bits are behind Mutexes.
    private let process = Process()
    private let stdinPipe = Pipe()
    private let stdoutPipe = Pipe()
    private let stderrPipe = Pipe()
    private let stderrTail = Mutex<[String]>([])
    /// Exit status and whether stdout reached EOF: `.exited` is sent once both are known.
    private let ending = Mutex<(stdoutClosed: Bool, status: Int32?, reported: Bool)>((false, nil, false))
    private let continuation: AsyncStream<WorkerEvent>.Continuation
    let events: AsyncStream<WorkerEvent>

    init(environment: SpeechEnvironment, preload: [String]) {
        (events, continuation) = AsyncStream.makeStream(of: WorkerEvent.self)
        process.executableURL = environment.python
        process.arguments = ["-u", environment.workerScript.path,
                             "--models-dir", environment.modelsDirectory.path]
            + preload.flatMap { ["--preload", $0] }
        var env = ProcessInfo.processInfo.environment
        env["HF_HUB_OFFLINE"] = "1"        // never reach for a model hub
        env["PYTHONUNBUFFERED"] = "1"
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env[RecordingKeyring.environmentVariable] = nil  // #15: the worker gets decrypted audio, never a way to the keys
        process.environment = env
        process.currentDirectoryURL = environment.root
        process.standardInput = stdinPipe
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
    }

    var pid: Int32 { process.processIdentifier }

    func start() throws {
        process.terminationHandler = { [weak self] p in
            self?.noteEnd(status: p.terminationStatus, stdoutClosed: false)
        }
        try process.run()
        // Blocking reads on their own threads: simple, ordered, and no
        // dependence on run-loop based readability handlers.
        let out = stdoutPipe.fileHandleForReading
        Thread.detachNewThread { [self] in
            readLines(out) { self.continuation.yield(.line($0)) }
            noteEnd(status: nil, stdoutClosed: true)
        }
        let err = stderrPipe.fileHandleForReading
        Thread.detachNewThread { [self] in readLines(err) { line in
            self.stderrTail.withLock { tail in
                tail.append(line)
                if tail.count > 20 { tail.removeFirst(tail.count - 20) }
            }
        } }
    }

    func send(_ line: String) throws {
        try stdinPipe.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8))
    }

    /// EOF on stdin: the worker finishes its job (if any) and exits.
    func closeInput() { try? stdinPipe.fileHandleForWriting.close() }

    func kill(_ signal: Int32 = SIGKILL) {
        let pid = process.processIdentifier
        if pid > 0 && process.isRunning { _ = Foundation.kill(pid, signal) }
    }

    var isRunning: Bool { process.isRunning }

    func recentStderr() -> String { stderrTail.withLock { $0.suffix(5).joined(separator: " | ") } }

    private func noteEnd(status: Int32?, stdoutClosed: Bool) {
        let done: Int32? = ending.withLock { state in
            if let status { state.status = status }
            if stdoutClosed { state.stdoutClosed = true }
            guard state.stdoutClosed, let s = state.status, !state.reported else { return nil }
            state.reported = true
            return s
        }
        if let done {
            continuation.yield(.exited(status: done, stderrTail: recentStderr()))
            continuation.finish()
        }
    }
}

/// Calls `body` with each line (without its newline) until EOF.
private func readLines(_ handle: FileHandle, _ body: (String) -> Void) {
    var buffer = Data()
    while true {
        let chunk = handle.availableData
        if chunk.isEmpty { break }
        buffer.append(chunk)
        while let nl = buffer.firstIndex(of: UInt8(ascii: "\n")) {
            body(String(decoding: buffer[buffer.startIndex..<nl], as: UTF8.self))
            buffer.removeSubrange(buffer.startIndex...nl)
        }
    }
    if !buffer.isEmpty { body(String(decoding: buffer, as: UTF8.self)) }
}
