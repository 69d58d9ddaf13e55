import Foundation

/// What performs the attempt's file actions: the plain writer for ordinary
/// recordings, the decrypting one for encrypted ones. `onHead` opens the
/// temporary file, `onBody` writes (false: stop, `refusal` says why).
protocol MediaSink: AnyObject, Sendable {
    var head: HTTPResponseHead? { get }
    var written: Int64 { get }
    var refusal: AttemptResult? { get }
    func onHead(_ head: HTTPResponseHead)
    func onBody(_ chunk: UnsafeRawBufferPointer) -> Bool
    func commit(relativePath: String) -> Result<SavedFile, AttemptResult>
    func discard()
}

extension MediaFileWriter: MediaSink {}
extension EncryptedMediaWriter: MediaSink {}

/// Encrypted recordings (Voice Recording Encryption, #15).
extension RecordingDownloader {
    /// The decrypted audio is WAV, so its name says so.
    static func decryptedName(_ relative: String, encrypted: Bool) -> String {
        encrypted && relative.hasSuffix(".mp3") ? String(relative.dropLast(4)) + ".wav" : relative
    }

    /// Finds the key before a byte is fetched: without it the download would be wasted.
    func encryptedWriter(_ details: EncryptionDetails, recordingSid: String, errorCode: Int?, relative: String,
                         progress: @escaping @Sendable (Int64, Int64?) -> Void) throws(AttemptResult) -> EncryptedMediaWriter {
        let decryptor: GCMStreamDecryptor
        do throws(RecordingKeyring.Problem) {
            decryptor = try encryption.keyring.decryptor(for: details)
        } catch {
            logger.warning("[OFFLINE_STT] Cannot decrypt \(recordingSid): \(error)")
            throw .undecryptable(error.description)
        }
        if errorCode == RecordingEncryptionError.fallbackKeyUsed {
            logger.info("[OFFLINE_STT] \(recordingSid) was encrypted with fallback key \(details.publicKeySid) (16107)")
        }
        let encryptedRelative = encryption.keep == .no ? nil : EncryptionSettings.encryptedPath(for: relative)
        return EncryptedMediaWriter(
            plainURL: encryption.keep == .only ? nil : store.dataDir.appendingPathComponent(relative),
            encryptedURL: encryptedRelative.map { store.dataDir.appendingPathComponent($0) },
            encryptedRelativePath: encryptedRelative, decryptor: decryptor, progress: progress)
    }
}
