import Foundation

/// A fresh directory under $TMPDIR (or /tmp), removed by `remove()`.
struct TemporaryDirectory {
    let url: URL

    init(_ label: String) throws {
        let base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
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
