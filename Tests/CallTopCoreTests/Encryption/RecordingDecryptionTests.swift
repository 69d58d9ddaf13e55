import Crypto
import _CryptoExtras
import Foundation
import Testing
@testable import CallTopCore

/// Decrypting Voice Recording Encryption bodies: the layout Twilio uses
/// (checked against a vector made by openssl), streaming in bounded memory,
/// and every way it must refuse.
@Suite struct RecordingDecryptionTests {
    /// Runs a whole body through the streaming decryptor in chunks of `chunk` bytes.
    func decrypt(_ slice: Data, _ decryptor: GCMStreamDecryptor, chunk: Int) throws -> (Data, Bool) {
        let body = Data(slice)  // indices from 0, whatever slice it came from
        var d = decryptor
        var out = Data()
        var offset = 0
        while offset < body.count {
            let end = min(body.count, offset + chunk)
            out += try body[offset..<end].withUnsafeBytes { try d.update($0) }
            offset = end
        }
        let (tail, authentic) = try d.finish()
        return (out + tail, authentic)
    }

    /// Why the keyring refuses to open `details`, or nil when it opens them.
    func problem(_ ring: RecordingKeyring, _ details: EncryptionDetails) -> RecordingKeyring.Problem? {
        do throws(RecordingKeyring.Problem) {
            _ = try ring.decryptor(for: details)
            return nil
        } catch {
            return error
        }
    }

    func keyring(_ pems: [String: String], mode: mode_t = 0o600) throws -> RecordingKeyring {
        RecordingKeyring(directory: try EncryptionFixtures.keysDir(pems, mode: mode))
    }

    @Test func knownVectorFromOpenSSLDecrypts() throws {
        let details = try EncryptionFixtures.details()
        #expect(details.publicKeySid == EncryptionFixtures.keySid)
        let ring = try keyring([EncryptionFixtures.keySid: try EncryptionFixtures.keyPEM()])
        let body = try EncryptionFixtures.body()
        let plain = try EncryptionFixtures.plain()
        // The layout: ciphertext as long as the audio, then the 16-byte tag.
        #expect(body.count == plain.count + 16)
        for chunk in [1, 7, 16, 1000, 16384, 1 << 20] {
            let (out, authentic) = try decrypt(body, try ring.decryptor(for: details), chunk: chunk)
            #expect(authentic, "chunk \(chunk)")
            #expect(out == plain, "chunk \(chunk)")
        }
    }

    @Test func theTagIsTheBodysLastSixteenBytes() throws {
        // swift-crypto's one-shot GCM agrees: nonce, then the body minus 16 bytes, then those 16 as the tag.
        let details = try EncryptionFixtures.details()
        let key = try _RSA.Encryption.PrivateKey(pemRepresentation: try EncryptionFixtures.keyPEM())
        let cek = try key.decrypt(try #require(Data(base64Encoded: details.encryptedCek)), padding: .PKCS1_OAEP_SHA256)
        let iv = try #require(Data(base64Encoded: details.iv))
        #expect(cek.count == 32 && iv.count == 12)
        let body = try EncryptionFixtures.body()
        let box = try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: iv), ciphertext: body.dropLast(16), tag: body.suffix(16))
        #expect(try AES.GCM.open(box, using: SymmetricKey(data: cek)) == (try EncryptionFixtures.plain()))
    }

    @Test func streamingMatchesOneShotAcrossBatchBoundaries() throws {
        var rng = SystemRandomNumberGenerator()
        let batch = GCMStreamDecryptor.batchBytes
        for size in [0, 1, 15, 16, 17, 255, batch - 1, batch, batch + 15, batch + 16, batch + 17, 3 * batch + 5] {
            let key = SymmetricKey(size: .bits256)
            let iv = (0..<12).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let plain = Data((0..<size).map { _ in UInt8.random(in: 0...255, using: &rng) })
            let sealed = try AES.GCM.seal(plain, using: key, nonce: AES.GCM.Nonce(data: iv))
            let body = sealed.ciphertext + sealed.tag
            for chunk in [16_384, 1 + Int.random(in: 0..<70_000, using: &rng)] {
                let (out, authentic) = try decrypt(body, try GCMStreamDecryptor(key: key, iv: iv), chunk: chunk)
                #expect(authentic, "size \(size) chunk \(chunk)")
                #expect(out == plain, "size \(size) chunk \(chunk)")
            }
        }
    }

    @Test func aFlippedBitAnywhereFailsTheTag() throws {
        let details = try EncryptionFixtures.details()
        let ring = try keyring([EncryptionFixtures.keySid: try EncryptionFixtures.keyPEM()])
        let body = try EncryptionFixtures.body()
        for position in [0, 44, body.count / 2, body.count - 17, body.count - 16, body.count - 1] {
            var bad = body
            bad[position] ^= 0x01
            #expect(try decrypt(bad, try ring.decryptor(for: details), chunk: 4096).1 == false, "byte \(position)")
        }
        #expect(try decrypt(body.dropLast(1), try ring.decryptor(for: details), chunk: 4096).1 == false)
        #expect(try decrypt(Data(body.prefix(10)), try ring.decryptor(for: details), chunk: 4096).1 == false)
    }

    @Test func theWrongKeyIsRefusedWithTheReason() throws {
        // Another key filed under the recording's key SID: OAEP does not open the CEK.
        let other = try _RSA.Encryption.PrivateKey(keySize: .bits2048)
        let ring = try keyring([EncryptionFixtures.keySid: other.pemRepresentation])
        #expect(problem(ring, try EncryptionFixtures.details()) == .cekUnwrapFailed(publicKeySid: EncryptionFixtures.keySid))
        #expect(RecordingKeyring.Problem.cekUnwrapFailed(publicKeySid: EncryptionFixtures.keySid).description
            .hasPrefix("decryption failed: wrong key or corrupted body"))
    }

    @Test func noKeySaysWhichKeyAndWhereToPutIt() throws {
        let details = try EncryptionFixtures.details()
        for ring in [try keyring([:]), RecordingKeyring(directory: nil)] {
            let error = problem(ring, details)
            #expect(error == .noKey(publicKeySid: EncryptionFixtures.keySid))
            #expect(error?.description.hasPrefix("encrypted with key \(EncryptionFixtures.keySid): put its private key in CALLTOP_RECORDING_KEYS_DIR") == true)
        }
    }

    @Test func aKeyOthersCanReadIsRefused() throws {
        for mode: mode_t in [0o644, 0o640, 0o604] {
            let ring = try keyring([EncryptionFixtures.keySid: try EncryptionFixtures.keyPEM()], mode: mode)
            let error = problem(ring, try EncryptionFixtures.details())
            guard case .unsafeKey(let sid, _, let shown)? = error else { Issue.record("mode \(String(mode, radix: 8)): \(String(describing: error))"); continue }
            #expect(sid == EncryptionFixtures.keySid && shown == String(mode, radix: 8))
            #expect(error?.description.contains("readable by group or others") == true && error?.description.contains("chmod 600") == true)
        }
    }

    @Test func aFallbackKeyIsFoundByItsSid() throws {
        // 16107: Twilio used another key and says which in public_key_sid; both keys live in the folder.
        let fallbackSid = "CRbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
        let primary = try _RSA.Encryption.PrivateKey(keySize: .bits2048)
        let fallback = try _RSA.Encryption.PrivateKey(pemRepresentation: try EncryptionFixtures.keyPEM())
        let ring = try keyring([EncryptionFixtures.keySid: primary.pemRepresentation, fallbackSid: fallback.pemRepresentation])
        var details = try EncryptionFixtures.details()
        details.publicKeySid = fallbackSid
        let (out, authentic) = try decrypt(try EncryptionFixtures.body(), try ring.decryptor(for: details), chunk: 4096)
        let plain = try EncryptionFixtures.plain()
        #expect(authentic && out == plain)
    }

    @Test func detailsParseFromTheRecordingAndFromACallback() throws {
        let json = """
            {"sid": "RE00000000000000000000000000000001", "status": "completed",
             "encryption_details": {"type": "rsa-aes", "public_key_sid": "CR0123456789abcdef0123456789abcdef",
                                    "encrypted_cek": "Y2Vr", "iv": "aXZpdml2aXZpdml2"}}
            """
        let r = try JSONDecoder().decode(TwilioRecording.self, from: Data(json.utf8))
        let details = try #require(r.encryptionDetails)
        #expect(details == EncryptionDetails(publicKeySid: "CR0123456789abcdef0123456789abcdef", encryptedCek: "Y2Vr", iv: "aXZpdml2aXZpdml2"))
        #expect(EncryptionDetails(json: details.jsonString) == details)
        let plain = try JSONDecoder().decode(TwilioRecording.self, from: Data(#"{"sid": "RE00000000000000000000000000000001", "encryption_details": null}"#.utf8))
        #expect(plain.encryptionDetails == nil)
        // A key SID that could escape the keys folder is not a key SID.
        #expect(EncryptionDetails(json: #"{"public_key_sid": "../../etc/passwd", "encrypted_cek": "a", "iv": "b"}"#) == nil)
    }
}

@Suite struct RecordingKeyringCheckTests {
    @Test func doctorSaysWhichKeysAreThereAndWhichAreRefused() throws {
        #expect(RecordingKeyring(directory: nil).check().ok)
        let pem = try EncryptionFixtures.keyPEM()
        let good = try RecordingKeyring(directory: EncryptionFixtures.keysDir([EncryptionFixtures.keySid: pem])).check()
        #expect(good.ok && good.detail.contains(EncryptionFixtures.keySid) && !good.detail.contains("PRIVATE"))
        let open = try RecordingKeyring(directory: EncryptionFixtures.keysDir([EncryptionFixtures.keySid: pem], mode: 0o644)).check()
        #expect(!open.ok && open.detail.contains("readable by group or others"))
        #expect(!(try RecordingKeyring(directory: EncryptionFixtures.keysDir([:])).check().ok))
    }
}
