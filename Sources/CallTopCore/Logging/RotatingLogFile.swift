import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `calltop.log` with a size cap: past `maxBytes` it becomes `calltop.log.1`
/// (`.1` becomes `.2`, … up to `generations`, the oldest is dropped) and a new
/// file starts. Files are created 0600 in a 0700 folder: log lines name calls
/// and numbers. Several processes (serve, the dashboard) may append to the
/// same log: whoever rotates first renames; the others notice the file under
/// the name is no longer theirs and reopen it. Not thread-safe: LogSink holds it under a lock.
public struct LogRotation: Sendable, Equatable {
    public var maxBytes: Int64
    /// Rotated files kept beside the live one.
    public var generations: Int
    public init(maxBytes: Int64 = 10 << 20, generations: Int = 3) {
        self.maxBytes = maxBytes
        self.generations = generations
    }
}

final class RotatingLogFile: @unchecked Sendable {
    let url: URL
    let policy: LogRotation
    private var fd: Int32 = -1
    private var size: Int64 = 0

    init(url: URL, policy: LogRotation) {
        self.url = url
        self.policy = policy
        try? PrivateFiles.createDirectory(url.deletingLastPathComponent())
        reopen()
    }

    deinit { if fd >= 0 { close(fd) } }

    func write(_ line: String) {
        if fd < 0 { reopen() }
        guard fd >= 0 else { return }
        if size >= policy.maxBytes {
            rotateOrFollow()
            guard fd >= 0 else { return }
        }
        let bytes = Array(line.utf8)
        writeAll(fd, bytes)
        size += Int64(bytes.count)
    }

    /// The name this generation of the log is kept under: `calltop.log.2`.
    func generation(_ n: Int) -> URL {
        url.deletingLastPathComponent().appendingPathComponent("\(url.lastPathComponent).\(n)")
    }

    private func rotateOrFollow() {
        var mine = stat(), current = stat()
        let ours = fstat(fd, &mine) == 0
        if ours, stat(url.path, &current) == 0, current.st_ino == mine.st_ino, current.st_dev == mine.st_dev,
           mine.st_size >= policy.maxBytes {
            if policy.generations > 0 {
                unlink(generation(policy.generations).path)
                for n in stride(from: policy.generations - 1, through: 1, by: -1) {
                    rename(generation(n).path, generation(n + 1).path)
                }
                rename(url.path, generation(1).path)
            } else {
                unlink(url.path)
            }
        }
        // Someone else rotated (or the file is still small): follow the name.
        reopen()
    }

    private func reopen() {
        if fd >= 0 { close(fd) }
        fd = PrivateFiles.openForAppend(url)
        var st = stat()
        size = fd >= 0 && fstat(fd, &st) == 0 ? Int64(st.st_size) : 0
    }
}

private func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
    bytes.withUnsafeBytes { buffer in
        var offset = 0
        while offset < buffer.count {
            let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if n < 0 { if errno == EINTR { continue }; return }
            offset += n
        }
    }
}
