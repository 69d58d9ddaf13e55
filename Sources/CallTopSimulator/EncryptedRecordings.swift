import Crypto
import _CryptoExtras
import Foundation
import Synchronization
import NIOCore

/// Which key Twilio used for an encrypted recording, in the simulator.
public enum EncryptionVariant: String, Sendable, Equatable {
    /// The account's configured key.
    case primary
    /// A fallback key (Twilio's 16107): `public_key_sid` names it.
    case fallback
    /// No valid key: the recording was never stored (16105, status `failed`).
    case unstored
    /// Encrypted with the primary key, but a byte of the body is damaged on the way: the tag cannot match.
    case corrupt
    /// `encrypted` on the whole account: most calls use the primary key, every
    /// sixth call from the fifth the fallback key, every sixth from the sixth is 16105.
    case mixed

    var scenarioName: String {
        switch self {
        case .primary, .mixed: "encrypted"
        case .fallback: "encrypted_fallback"
        case .unstored: "encrypted_unstored"
        case .corrupt: "encrypted_corrupt"
        }
    }
}

/// A private key the simulator made for this run, as the customer would hold it.
public struct SimulatedRecordingKey: Sendable, Equatable {
    public let publicKeySid: String
    public let privateKeyPEM: String
    public let isFallback: Bool
}

/// Voice Recording Encryption as Twilio does it: a random CEK and IV per
/// recording, AES-256-GCM over the WAV (ciphertext then the 16-byte tag), the
/// CEK wrapped with RSAES-OAEP-SHA256-MGF1. Keys are made once per run, lazily.
final class EncryptionVault: Sendable {
    struct Sealed: Sendable {
        let cek: SymmetricKey
        let iv: [UInt8]
        let wrappedCek: String
        let publicKeySid: String
    }

    /// PEM text: the key type itself is not Sendable.
    private let keys = Mutex<[String]?>(nil)
    private let sealed = Mutex<[String: Sealed]>([:])
    let keySids: [String]

    init(seed: UInt64) {
        keySids = [0x5EC0_0001, 0x5EC0_0002].map { (salt: UInt64) in
            "CR" + hex(DeterministicRandom.mix(seed ^ salt), digits: 16) + hex(DeterministicRandom.mix(seed &+ salt), digits: 16)
        }
    }

    private func privateKeys() -> [String] {
        keys.withLock { box in
            if let box { return box }
            // 2048 bits: the only size Twilio accepts for a Public Key resource (70102).
            let made = (0..<2).map { _ in try! _RSA.Encryption.PrivateKey(keySize: .bits2048).pemRepresentation }
            box = made
            return made
        }
    }

    func recordingKeys() -> [SimulatedRecordingKey] {
        zip(keySids, privateKeys()).enumerated().map { i, pair in
            SimulatedRecordingKey(publicKeySid: pair.0, privateKeyPEM: pair.1, isFallback: i == 1)
        }
    }

    func seal(_ recordingSid: String, fallback: Bool) -> Sealed {
        if let done = sealed.withLock({ $0[recordingSid] }) { return done }
        let key = try! _RSA.Encryption.PrivateKey(pemRepresentation: privateKeys()[fallback ? 1 : 0])
        let cek = SymmetricKey(size: .bits256)
        let iv = (0..<12).map { _ in UInt8.random(in: 0...255) }
        let wrapped = cek.withUnsafeBytes { try! key.publicKey.encrypt(Data($0), padding: .PKCS1_OAEP_SHA256) }
        let value = Sealed(cek: cek, iv: iv, wrappedCek: wrapped.base64EncodedString(), publicKeySid: keySids[fallback ? 1 : 0])
        return sealed.withLock { all in
            if let first = all[recordingSid] { return first }  // another request sealed it meanwhile
            all[recordingSid] = value
            return value
        }
    }

    /// The body Twilio serves: GCM ciphertext followed by the tag.
    func encrypt(_ wav: ByteBuffer, _ s: Sealed) -> ByteBuffer {
        let box = try! AES.GCM.seal(Data(wav.readableBytesView), using: s.cek, nonce: AES.GCM.Nonce(data: s.iv))
        var out = ByteBuffer()
        out.writeBytes(box.ciphertext)
        out.writeBytes(box.tag)
        return out
    }
}

extension TwilioSimulator {
    /// The private keys of this run (primary, then fallback), to put in
    /// CALLTOP_RECORDING_KEYS_DIR. Made on first use: RSA keygen takes a moment.
    public func recordingKeys() -> [SimulatedRecordingKey] { vault.recordingKeys() }

    /// Writes `CR….pem` files (0600, in a 0700 folder) for the given keys.
    @discardableResult
    public func writeRecordingKeys(to directory: URL, includeFallback: Bool = true) throws -> [URL] {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return try recordingKeys().filter { includeFallback || !$0.isFallback }.map { key in
            let url = directory.appendingPathComponent("\(key.publicKeySid).pem")
            FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600])
            try Data(key.privateKeyPEM.utf8).write(to: url)
            return url
        }
    }

    /// Which key encrypted a recording, or nil when it is not encrypted.
    public func encryptionVariant(ofRecording sid: String) -> EncryptionVariant? {
        guard let rt = try? runtime(), let seed = rt.generator.recording(sid: sid) else { return nil }
        return encryptionVariant(seed, rt.scenarios.scenarios(for: sid))
    }

    /// The decrypted audio a correct downloader ends up with for an encrypted recording (mono WAV).
    public func plainWav(ofRecording sid: String) -> Data? {
        guard let rt = try? runtime(), let seed = rt.generator.recording(sid: sid) else { return nil }
        return Data(rt.clips[seed.clipIndex].monoWav.readableBytesView)
    }

    /// `encryption_details` as Twilio sends them, JSON text (what a status callback carries).
    public func encryptionDetailsJSON(ofRecording sid: String) -> String? {
        guard let rt = try? runtime(), let seed = rt.generator.recording(sid: sid) else { return nil }
        return encryptionDetails(seed, rt.scenarios.scenarios(for: sid))?.serialized()
    }

    func encryptionVariant(_ seed: RecordingSeed, _ scenarios: [Scenario]) -> EncryptionVariant? {
        var variant: EncryptionVariant?
        for case .encrypted(let v) in scenarios { variant = v }  // targeted rules come last and win
        guard variant == .mixed else { return variant }
        switch seed.callIndex % 6 {
        case 4: return .fallback
        case 5: return .unstored
        default: return .primary
        }
    }

    func encryptionDetails(_ seed: RecordingSeed, _ scenarios: [Scenario]) -> JSONValue? {
        guard let variant = encryptionVariant(seed, scenarios), variant != .unstored else { return nil }
        let s = vault.seal(seed.sid, fallback: variant == .fallback)
        return .object([
            ("type", .string("rsa-aes")),
            ("public_key_sid", .string(s.publicKeySid)),
            ("encrypted_cek", .string(s.wrappedCek)),
            ("iv", .string(Data(s.iv).base64EncodedString())),
        ])
    }

    /// What metadata says of an encrypted recording: 16105 `failed`, 16107 for a fallback key.
    func encryptionStatus(_ seed: RecordingSeed, _ scenarios: [Scenario]) -> (status: String, errorCode: Int)? {
        switch encryptionVariant(seed, scenarios) {
        case .unstored: return ("failed", 16105)
        case .fallback: return ("completed", 16107)
        default: return nil
        }
    }

    /// Media of an encrypted recording, or nil for a plain one.
    func encryptedMedia(_ seed: RecordingSeed, format: MediaFormat, path: String, scenarios: [Scenario], wav: () -> ByteBuffer) -> SimulatorReply? {
        guard let variant = encryptionVariant(seed, scenarios) else { return nil }
        var reply: SimulatorReply
        if variant == .unstored {
            reply = .error(.notFound(path), json: false)
        } else if format == .mp3 {
            reply = .error(TwilioErrorPayload(status: 400, code: 16109, message: "Cannot fetch .mp3 encrypted recording. Please re-request with .wav format"), json: false)
        } else {
            var body = vault.encrypt(wav(), vault.seal(seed.sid, fallback: variant == .fallback))
            if variant == .corrupt, let byte = body.getInteger(at: body.readableBytes / 2, as: UInt8.self) {
                body.setInteger(byte ^ 0x20, at: body.readableBytes / 2)
            }
            reply = SimulatorReply(status: 200, headers: [("Content-Type", format.contentType)], body: .bytes(body))
        }
        reply.scenario = variant.scenarioName
        return reply
    }
}

extension TwilioSimulator {
    /// A recording's metadata view, with its encryption facts when a scenario encrypts it.
    func recordingView(_ seed: RecordingSeed, status: String, scenarios: [Scenario]) -> TwilioPayloads.RecordingView {
        TwilioPayloads.RecordingView(seed: seed, status: status, accountSid: config.accountSid, baseURL: baseURL,
                                     encryption: encryptionDetails(seed, scenarios),
                                     errorCode: encryptionStatus(seed, scenarios)?.errorCode)
    }
}
