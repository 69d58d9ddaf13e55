import Crypto
import _CryptoExtras
import Foundation

/// The private keys for Voice Recording Encryption: PEM files in
/// `CALLTOP_RECORDING_KEYS_DIR`, each named by its Twilio Public Key SID
/// (`CR….pem`); several may be there, as Twilio may use a fallback key (16107).
/// A key is read when a recording needs it, so adding one and retrying works
/// without a restart. Keys stay in this process: never logged, copied, or
/// passed to a child (the speech worker only ever gets decrypted audio).
public struct RecordingKeyring: Sendable {
    public static let environmentVariable = "CALLTOP_RECORDING_KEYS_DIR"
    public let directory: URL?

    public init(directory: URL?) { self.directory = directory }

    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) -> RecordingKeyring {
        RecordingKeyring(directory: env[environmentVariable].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0, isDirectory: true) })
    }

    public enum Problem: Error, Equatable, CustomStringConvertible {
        case noKey(publicKeySid: String)
        case unsafeKey(publicKeySid: String, path: String, mode: String)
        case unreadableKey(publicKeySid: String, path: String, why: String)
        case cekUnwrapFailed(publicKeySid: String)

        public var description: String {
            switch self {
            case .noKey(let sid):
                return "encrypted with key \(sid): put its private key in \(RecordingKeyring.environmentVariable) as \(sid).pem"
            case let .unsafeKey(sid, path, mode):
                return "key \(sid) refused: \(path) is readable by group or others (mode \(mode)); run `chmod 600 \(path)`"
            case let .unreadableKey(sid, path, why):
                return "key \(sid) in \(path) is not a usable RSA private key (\(why))"
            case .cekUnwrapFailed(let sid):
                return "decryption failed: wrong key or corrupted body (the private key \(sid).pem does not open this recording's encrypted_cek)"
            }
        }
    }

    /// The private key for `publicKeySid`, if one is there and safe to use.
    func privateKey(for publicKeySid: String) throws(Problem) -> _RSA.Encryption.PrivateKey {
        // The SID was validated (CR + 32 hex) when decoded: a safe file name.
        guard SID.isValid(publicKeySid, prefix: "CR"), let directory else { throw .noKey(publicKeySid: publicKeySid) }
        let url = directory.appendingPathComponent("\(publicKeySid).pem")
        let fd = open(url.path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else {
            if errno == ENOENT { throw .noKey(publicKeySid: publicKeySid) }
            throw .unreadableKey(publicKeySid: publicKeySid, path: url.path, why: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            throw .unreadableKey(publicKeySid: publicKeySid, path: url.path, why: "not a regular file")
        }
        // The same rule ssh applies to its keys: anyone else who can read it could decrypt every call.
        if st.st_mode & 0o077 != 0 {
            throw .unsafeKey(publicKeySid: publicKeySid, path: url.path, mode: String(st.st_mode & 0o777, radix: 8))
        }
        var bytes = [UInt8](repeating: 0, count: Int(min(st.st_size, 64 << 10)))
        let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { throw .unreadableKey(publicKeySid: publicKeySid, path: url.path, why: "empty file") }
        defer { for i in bytes.indices { bytes[i] = 0 } }  // don't leave the PEM text lying in freed memory
        do {
            return try _RSA.Encryption.PrivateKey(pemRepresentation: String(decoding: bytes[0..<n], as: UTF8.self))
        } catch {
            throw .unreadableKey(publicKeySid: publicKeySid, path: url.path, why: "expected a PEM RSA private key of at least 2048 bits")
        }
    }

    /// Unwraps a recording's CEK (RSAES-OAEP-SHA256-MGF1) and returns the body decryptor.
    func decryptor(for details: EncryptionDetails) throws(Problem) -> GCMStreamDecryptor {
        let key = try privateKey(for: details.publicKeySid)
        guard let wrapped = Data(base64Encoded: details.encryptedCek),
              let iv = Data(base64Encoded: details.iv),
              let cek = try? key.decrypt(wrapped, padding: .PKCS1_OAEP_SHA256),
              let decryptor = try? GCMStreamDecryptor(key: SymmetricKey(data: cek), iv: Array(iv))
        else { throw .cekUnwrapFailed(publicKeySid: details.publicKeySid) }
        return decryptor
    }
}

extension RecordingKeyring {
    /// `doctor`'s line: which keys are there and usable, never their contents.
    public func check() -> (ok: Bool, detail: String) {
        guard let directory else {
            return (true, "\(Self.environmentVariable) not set (needed only for Voice Recording Encryption)")
        }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else {
            return (false, "\(Self.environmentVariable)=\(directory.path) is not a readable folder")
        }
        let sids = names.filter { $0.hasSuffix(".pem") }.map { String($0.dropLast(4)) }.filter { SID.isValid($0, prefix: "CR") }.sorted()
        guard !sids.isEmpty else { return (false, "no CR….pem key in \(directory.path)") }
        var problems: [String] = []
        for sid in sids {
            do throws(Problem) { _ = try privateKey(for: sid) } catch { problems.append(error.description) }
        }
        if problems.isEmpty { return (true, "\(sids.count) key(s) in \(directory.path): \(sids.joined(separator: ", "))") }
        return (false, problems.joined(separator: "; "))
    }
}
