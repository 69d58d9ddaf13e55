import Crypto
import Foundation

/// Receives an encrypted recording's `.wav` body: decrypts it as it streams
/// into a temporary file (0600) beside its final name, and optionally keeps
/// the encrypted original too. Nothing gets a final name until the whole body
/// is in and its GCM tag has matched; on a mismatch every temporary file goes.
/// Used from one transfer's callbacks at a time, like MediaFileWriter.
final class EncryptedMediaWriter: @unchecked Sendable {
    let plainURL: URL?
    let encryptedURL: URL?
    let encryptedRelativePath: String?
    private var plain: TempFile?
    private var encrypted: TempFile?
    private var decryptor: GCMStreamDecryptor
    private var hasher = SHA256()
    private var hashingPlain: Bool
    private(set) var head: HTTPResponseHead?
    private(set) var written: Int64 = 0
    private(set) var plaintextBytes: Int64 = 0
    private var plainPrefix = Data()
    private(set) var refusal: AttemptResult?
    private let progress: @Sendable (Int64, Int64?) -> Void
    private var lastProgressBytes: Int64 = 0

    static let failedTag = "decryption failed: wrong key or corrupted body"

    /// `plainURL` nil keeps only the encrypted original; `encryptedURL` nil keeps only the plaintext.
    init(plainURL: URL?, encryptedURL: URL?, encryptedRelativePath: String?, decryptor: GCMStreamDecryptor,
         progress: @escaping @Sendable (Int64, Int64?) -> Void) {
        precondition(plainURL != nil || encryptedURL != nil)
        self.plainURL = plainURL
        self.encryptedURL = encryptedURL
        self.encryptedRelativePath = encryptedRelativePath
        self.decryptor = decryptor
        self.hashingPlain = plainURL != nil
        self.progress = progress
    }

    deinit { discard() }

    func onHead(_ head: HTTPResponseHead) {
        self.head = head
        do {
            if let plainURL { plain = try TempFile(beside: plainURL) }
            if let encryptedURL { encrypted = try TempFile(beside: encryptedURL) }
        } catch {
            refusal = .local("\(error)")
        }
    }

    /// Returns false to stop the transfer.
    func onBody(_ chunk: UnsafeRawBufferPointer) -> Bool {
        guard plain != nil || encrypted != nil else { return false }
        do {
            try encrypted?.write(chunk)
            if !hashingPlain { hasher.update(bufferPointer: chunk) }
            let out = try decryptor.update(chunk)
            try takePlaintext(out)
        } catch let why as AttemptResult {
            refusal = why
            return false
        } catch {
            refusal = .undecryptable(Self.failedTag)
            return false
        }
        written += Int64(chunk.count)
        if written - lastProgressBytes >= max(8 << 10, (head?.contentLength ?? 0) / 100) {
            lastProgressBytes = written
            progress(written, head?.contentLength)
        }
        return true
    }

    private func takePlaintext(_ out: Data) throws {
        guard !out.isEmpty else { return }
        plaintextBytes += Int64(out.count)
        if plainPrefix.count < 12 { plainPrefix.append(out.prefix(12 - plainPrefix.count)) }
        guard let plain else { return }  // keeping only the encrypted original: plaintext is checked, then dropped
        try out.withUnsafeBytes { try plain.write($0) }
        hasher.update(data: out)
    }

    /// The verdict on a finished 200 transfer. The kept file (plaintext if
    /// kept, else the encrypted original) is the one returned and hashed.
    func commit(relativePath: String) -> Result<SavedFile, AttemptResult> {
        if let refusal { return .failure(refusal) }
        guard let head else { return .failure(.notAudio("an empty body")) }
        guard plain != nil || encrypted != nil else { return .failure(.local("no temporary file for the body")) }
        if let expected = head.contentLength, expected != written {
            return .failure(.transport(.truncated(received: written, expected: expected)))
        }
        do {
            let (tail, authentic) = try decryptor.finish()
            guard authentic else { return .failure(.undecryptable(Self.failedTag)) }
            try takePlaintext(tail)
        } catch let why as AttemptResult {
            return .failure(why)
        } catch {
            return .failure(.undecryptable(Self.failedTag))
        }
        guard AudioCheck.kind(ofPrefix: plainPrefix) == .wav else {
            return .failure(.notAudio("an encrypted body that decrypts to something other than WAV audio"))
        }
        do {
            // Both files are complete and verified: fsync both, then name them.
            try plain?.sync()
            try encrypted?.sync()
            if let plain, let plainURL { try plain.rename(to: plainURL) }
            if let encrypted, let encryptedURL { try encrypted.rename(to: encryptedURL) }
        } catch {
            return .failure(.local("\(error)"))
        }
        plain = nil
        encrypted = nil
        progress(written, head.contentLength)
        let digest = Hex.encode(hasher.finalize())
        let kept = plainURL != nil ? relativePath : (encryptedRelativePath ?? relativePath)
        return .success(SavedFile(relativePath: kept, bytes: plainURL != nil ? plaintextBytes : written, sha256: digest))
    }

    func discard() {
        plain?.remove()
        encrypted?.remove()
        plain = nil
        encrypted = nil
    }
}

/// A private temporary file beside its final name: 0600, fsynced, renamed.
final class TempFile {
    struct Failure: Error, CustomStringConvertible { var description: String }
    let url: URL
    private var fd: Int32

    init(beside finalURL: URL) throws(Failure) {
        url = finalURL.deletingLastPathComponent()
            .appendingPathComponent(".\(finalURL.lastPathComponent).\(UUID().uuidString.prefix(8)).part")
        fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd < 0 { throw Failure(description: "cannot create \(url.path): \(String(cString: strerror(errno)))") }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws(AttemptResult) {
        var offset = 0
        while offset < bytes.count {
            let n = Foundation.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw .local("cannot write \(url.lastPathComponent): \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }

    func sync() throws(Failure) {
        guard fsync(fd) == 0 else { throw Failure(description: "fsync failed: \(String(cString: strerror(errno)))") }
    }

    func rename(to finalURL: URL) throws(Failure) {
        close(fd)
        fd = -1
        guard Foundation.rename(url.path, finalURL.path) == 0 else {
            defer { unlink(url.path) }
            throw Failure(description: "cannot rename to \(finalURL.path): \(String(cString: strerror(errno)))")
        }
        let dir = open(finalURL.deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY)
        if dir >= 0 { fsync(dir); close(dir) }  // make the rename itself durable
    }

    func remove() {
        if fd >= 0 { close(fd); fd = -1; unlink(url.path) }
    }

    deinit { remove() }
}
