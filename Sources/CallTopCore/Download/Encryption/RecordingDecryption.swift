import Foundation

/// Decrypts an encrypted original kept on disk (`CALLTOP_KEEP_ENCRYPTED`),
/// by the same path a download takes: streaming, bounded memory, the output
/// named only once the tag matched.
public enum RecordingDecryption {
    public static let readBytes = 1 << 20

    public static func decryptFile(_ input: URL, to output: URL, details: EncryptionDetails,
                                   keyring: RecordingKeyring) throws -> SavedFile {
        let writer = EncryptedMediaWriter(plainURL: output, encryptedURL: nil, encryptedRelativePath: nil,
                                          decryptor: try keyring.decryptor(for: details), progress: { _, _ in })
        defer { writer.discard() }
        let handle = try FileHandle(forReadingFrom: input)
        defer { try? handle.close() }
        let size = try FileManager.default.attributesOfItem(atPath: input.path)[.size] as? Int64
        writer.onHead(HTTPResponseHead(status: 200, headers: size.map { ["content-length": String($0)] } ?? [:]))
        while let chunk = try handle.read(upToCount: readBytes), !chunk.isEmpty {
            guard chunk.withUnsafeBytes({ writer.onBody($0) }) else { break }
        }
        return try writer.commit(relativePath: output.lastPathComponent).get()
    }
}
