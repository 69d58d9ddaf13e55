import Foundation
import Synchronization

/// A fresh directory under $TMPDIR (or /tmp), removed by `remove()`.
struct TemporaryDirectory {
    let url: URL

    /// `inMemory`: under /dev/shm (tmpfs) when there is one, for figures that are about calltop and the
    /// network rather than this machine's disk (see `removeAfterSection` for what the disk adds here).
    init(_ label: String, inMemory: Bool = false) throws {
        let base = inMemory && access("/dev/shm", W_OK) == 0 ? "/dev/shm"
            : ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        url = URL(fileURLWithPath: base, isDirectory: true)
            .appendingPathComponent("calltop-bench-\(label)-\(getpid())-\(UUID().uuidString.prefix(6))", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    func subdirectory(_ name: String) throws -> URL {
        let dir = url.appendingPathComponent(name, isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    func remove() { try? FileManager.default.removeItem(at: url) }

    /// Removed when the section ends (`removeDeferred()`), not now. This machine's ext4 has no
    /// journal, and then the kernel, for about half a minute after a file is deleted, steps over
    /// its inode, reading its table block, each time it allocates a new one: deleting one drain's
    /// 2,000 files just before the next drain cost that drain about 1 ms of kernel time per file it
    /// created, under the directory's lock (perf: `find_inode_bit`, `recently_deleted`). No backlog
    /// an on-call engineer drains follows the deletion of thousands of files.
    func removeAfterSection() { Self.deferred.withLock { $0.append(url) } }

    static func removeDeferred() {
        for url in deferred.withLock({ urls in defer { urls = [] }; return urls }) { try? FileManager.default.removeItem(at: url) }
    }

    private static let deferred = Mutex<[URL]>([])
}

/// fsync a file (and optionally its folder): what `sync FILE` does, without a process.
func fsyncPath(_ path: String, directory: Bool = false) {
    let fd = open(path, directory ? (O_RDONLY | O_DIRECTORY) : O_RDONLY)
    guard fd >= 0 else { return }
    fsync(fd)
    close(fd)
}

func fileSize(_ path: String) -> Int64 {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? -1
}
