import Foundation

/// How Twilio encrypted one recording (Voice Recording Encryption): the
/// recording's `encryption_details`, or a status callback's `EncryptionDetails`.
/// Holds only what Twilio publishes: the CEK is wrapped by the customer's RSA
/// key, so storing it is safe; the private key is never part of this.
///
/// Layout (checked against a vector made with openssl, see Tests/…/Fixtures/encrypted):
/// - `encrypted_cek`: base64 (standard alphabet, padded) of RSAES-OAEP-SHA256-MGF1(public key, 32-byte CEK);
/// - `iv`: base64 of the 12-byte GCM nonce;
/// - the `.wav` body: AES-256-GCM ciphertext followed by the 16-byte tag, no associated data.
public struct EncryptionDetails: Sendable, Equatable, Codable {
    public var type: String
    /// `CR` + 32 hex: the Twilio Public Key resource that wrapped the CEK (with 16107, a fallback key).
    public var publicKeySid: String
    public var encryptedCek: String
    public var iv: String

    public init(type: String = "rsa-aes", publicKeySid: String, encryptedCek: String, iv: String) {
        self.type = type; self.publicKeySid = publicKeySid; self.encryptedCek = encryptedCek; self.iv = iv
    }

    enum CodingKeys: String, CodingKey {
        case type, publicKeySid = "public_key_sid", encryptedCek = "encrypted_cek", iv
    }

    /// Lenient like every other Twilio field: anything unusable is "not encrypted"
    /// here and shows up as a decryption failure with its reason later.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard let sid = c.lenientString(.publicKeySid), SID.isValid(sid, prefix: "CR") else {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: "missing or invalid public_key_sid"))
        }
        guard let cek = c.lenientString(.encryptedCek), !cek.isEmpty, let iv = c.lenientString(.iv), !iv.isEmpty else {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: "missing encrypted_cek or iv"))
        }
        self.init(type: c.lenientString(.type) ?? "", publicKeySid: sid, encryptedCek: String(cek.prefix(4096)), iv: String(iv.prefix(64)))
    }

    /// A status callback sends the details as a JSON string in one form field.
    public init?(json: String) {
        guard let value = try? JSONDecoder().decode(EncryptionDetails.self, from: Data(json.utf8)) else { return nil }
        self = value
    }

    public var jsonString: String {
        let data = (try? JSONEncoder().encode(self)) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}

/// Twilio's encryption error codes and what to tell the user about them.
public enum RecordingEncryptionError {
    /// The recording was not stored: the account had no valid public key.
    public static let notStoredNoValidKey = 16105
    /// Encrypted with an alternate (fallback) key: `public_key_sid` names it.
    public static let fallbackKeyUsed = 16107
    /// `.mp3` asked of an encrypted recording: only `.wav` exists.
    public static let mp3OfEncrypted = 16109

    public static func meaning(_ code: Int) -> String? {
        switch code {
        case notStoredNoValidKey: return "not stored: the account had no valid public key for Voice Recording Encryption"
        case fallbackKeyUsed: return "encrypted with a fallback public key (its SID is the recording's public_key_sid)"
        case mp3OfEncrypted: return "an encrypted recording exists only as .wav"
        default: return nil
        }
    }
}
