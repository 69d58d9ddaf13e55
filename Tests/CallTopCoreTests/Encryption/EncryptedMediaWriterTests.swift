import Foundation
import Testing
@testable import CallTopCore

/// The decrypting writer on its own: plaintext never has its final name
/// before the whole body is in and the tag has matched.
@Suite struct EncryptedMediaWriterTests {
    func writer(in dir: URL, keep: EncryptionSettings.Keep = .no) throws -> EncryptedMediaWriter {
        let ring = RecordingKeyring(directory: try EncryptionFixtures.keysDir([EncryptionFixtures.keySid: try EncryptionFixtures.keyPEM()]))
        return EncryptedMediaWriter(
            plainURL: keep == .only ? nil : dir.appendingPathComponent("CA.wav"),
            encryptedURL: keep == .no ? nil : dir.appendingPathComponent("CA.wav.enc"),
            encryptedRelativePath: keep == .no ? nil : "recordings/CA.wav.enc",
            decryptor: try ring.decryptor(for: try EncryptionFixtures.details()), progress: { _, _ in })
    }

    func feed(_ w: EncryptedMediaWriter, _ body: Data) {
        w.onHead(HTTPResponseHead(status: 200, headers: ["content-type": "audio/x-wav", "content-length": String(body.count)]))
        var offset = 0
        while offset < body.count {
            let end = min(body.count, offset + 1000)
            _ = body[offset..<end].withUnsafeBytes { w.onBody($0) }
            offset = end
        }
    }

    func listing(_ dir: URL) -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted() }

    func temporaryDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("calltop-writer-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func plaintextGetsItsNameOnlyAfterTheTagMatched() throws {
        let dir = try temporaryDir()
        let w = try writer(in: dir)
        feed(w, try EncryptionFixtures.body())
        // Every byte is in, but unverified: only a private temporary file exists.
        let parts = listing(dir)
        #expect(parts.count == 1 && parts[0].hasSuffix(".part") && parts[0].hasPrefix(".CA.wav."))
        var st = stat()
        #expect(stat(dir.appendingPathComponent(parts[0]).path, &st) == 0 && st.st_mode & 0o777 == 0o600)
        let saved = try w.commit(relativePath: "recordings/CA.wav").get()
        #expect(listing(dir) == ["CA.wav"])
        let plain = try EncryptionFixtures.plain()
        #expect(try Data(contentsOf: dir.appendingPathComponent("CA.wav")) == plain)
        #expect(saved.bytes == Int64(plain.count) && saved.relativePath == "recordings/CA.wav")
    }

    @Test func aMismatchedTagKeepsNothing() throws {
        for keep in EncryptionSettings.Keep.allCases {
            let dir = try temporaryDir()
            let w = try writer(in: dir, keep: keep)
            var body = try EncryptionFixtures.body()
            body[body.count - 3] ^= 0x80
            feed(w, body)
            #expect(!listing(dir).contains("CA.wav") && !listing(dir).contains("CA.wav.enc"))
            guard case .failure(.undecryptable(let why)) = w.commit(relativePath: "recordings/CA.wav") else {
                Issue.record("a bad tag was accepted (keep \(keep))")
                continue
            }
            #expect(why == "decryption failed: wrong key or corrupted body")
            w.discard()
            #expect(listing(dir).isEmpty, "keep \(keep): \(listing(dir))")
        }
    }

    @Test func aTruncatedBodyIsTransientNotADecryptionFailure() throws {
        let dir = try temporaryDir()
        let w = try writer(in: dir)
        let body = try EncryptionFixtures.body()
        w.onHead(HTTPResponseHead(status: 200, headers: ["content-length": String(body.count)]))
        _ = body.prefix(body.count / 2).withUnsafeBytes { w.onBody($0) }
        guard case .failure(.transport(.truncated)) = w.commit(relativePath: "recordings/CA.wav") else {
            Issue.record("truncation not reported as such")
            return
        }
        w.discard()
        #expect(listing(dir).isEmpty)
    }
}
