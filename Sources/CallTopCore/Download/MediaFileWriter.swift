import Crypto
import Foundation

/// Writes a media body the attempt's state machine has taken for audio: to a
/// temporary file beside its final name, hashed as it streams. `commit` fsyncs
/// and renames, so a file under its final name is always complete. Whether the
/// body is audio, and whole, is `DownloadAttemptMachine`'s call; this only does
/// the file work. Used from one transfer's callbacks at a time.
final class MediaFileWriter: @unchecked Sendable {
    let finalURL: URL
    let tempURL: URL
    private var fd: Int32 = -1
    /// Hashing runs on its own queue, overlapping the network: on 2 cores this
    /// takes SHA-256 off the transfer's critical path.
    private let hashing = HashingQueue()
    private(set) var head: HTTPResponseHead?
    private(set) var written: Int64 = 0
    private(set) var refusal: AttemptResult?
    private let progress: @Sendable (Int64, Int64?) -> Void
    private var lastProgressBytes: Int64 = 0
    private var renamed = false
    /// write(2), replaceable so tests can fill the disk.
    typealias WriteCall = @Sendable (Int32, UnsafeRawPointer, Int) -> Int
    private let writeCall: WriteCall

    init(finalURL: URL, write: @escaping WriteCall = { Glibc.write($0, $1, $2) }, progress: @escaping @Sendable (Int64, Int64?) -> Void) {
        self.finalURL = finalURL
        self.writeCall = write
        self.tempURL = finalURL.deletingLastPathComponent()
            .appendingPathComponent(".\(finalURL.lastPathComponent).\(UUID().uuidString.prefix(8)).part")
        self.progress = progress
    }

    deinit { discard() }

    /// Opens the temporary file for this response.
    func onHead(_ head: HTTPResponseHead) {
        self.head = head
        fd = open(tempURL.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, PrivateFiles.fileMode)
        if fd < 0 { refusal = .local("cannot create \(tempURL.path): \(String(cString: strerror(errno)))") }
    }

    /// Returns false to stop the transfer.
    func onBody(_ chunk: UnsafeRawBufferPointer) -> Bool {
        guard fd >= 0, refusal == nil else { return false }
        var offset = 0
        while offset < chunk.count {
            let n = writeCall(fd, chunk.baseAddress! + offset, chunk.count - offset)
            if n < 0 {
                let error = errno
                if error == EINTR { continue }
                refusal = error == ENOSPC || error == EDQUOT ? diskFull()
                    : .local("cannot write \(tempURL.lastPathComponent): \(String(cString: strerror(error)))")
                return false
            }
            offset += n
        }
        hashing.update(Data(chunk))
        written += Int64(chunk.count)
        // Often enough for a progress bar on a small recording, rarely enough to cost nothing on a large one.
        if written - lastProgressBytes >= max(8 << 10, (head?.contentLength ?? 0) / 100) {
            lastProgressBytes = written
            progress(written, head?.contentLength)
        }
        return true
    }

    /// Makes the written body durable under its final name: the saved file, or why not.
    func commit(relativePath: String) -> Result<SavedFile, AttemptResult> {
        if let refusal { return .failure(refusal) }
        guard let head, fd >= 0 else { return .failure(.local("no temporary file for \(finalURL.lastPathComponent)")) }
        guard fsync(fd) == 0 else {
            let error = errno
            return .failure(error == ENOSPC || error == EDQUOT ? diskFull() : .local("fsync failed: \(String(cString: strerror(error)))"))
        }
        close(fd)
        fd = -1
        guard rename(tempURL.path, finalURL.path) == 0 else {
            return .failure(.local("cannot rename to \(finalURL.path): \(String(cString: strerror(errno)))"))
        }
        renamed = true
        let dir = open(finalURL.deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY)
        if dir >= 0 { fsync(dir); close(dir) }  // make the rename itself durable
        progress(written, head.contentLength)
        let digest = hashing.finalizeHex()
        return .success(SavedFile(relativePath: relativePath, bytes: written, sha256: digest))
    }

    private func diskFull() -> AttemptResult {
        let dir = finalURL.deletingLastPathComponent().path
        return .diskFull(freeBytes: DiskSpace.freeBytes(at: dir) ?? 0, directory: dir)
    }

    func discard() {
        if fd >= 0 { close(fd); fd = -1 }
        // After the rename there is no temporary file: skip an unlink that can only fail (it takes the folder's lock).
        if !renamed { unlink(tempURL.path) }
    }
}

/// SHA-256 fed from one thread and finished from it too, computed on a serial queue.
private final class HashingQueue: @unchecked Sendable {
    private let queue = DispatchQueue(label: "calltop.sha256")
    private var hasher = SHA256()

    func update(_ data: Data) {
        queue.async { self.hasher.update(data: data) }
    }

    func finalizeHex() -> String {
        queue.sync { Hex.encode(hasher.finalize()) }
    }
}
