import Foundation

/// What the downloader does with encrypted recordings: where the keys are and
/// what it keeps. From the environment, so `download`, `worker`, the dashboard
/// and `serve` all behave the same.
public struct EncryptionSettings: Sendable {
    /// `CALLTOP_KEEP_ENCRYPTED`: `no` (default: the decrypted WAV only),
    /// `beside` (also `{name}.enc`, the body exactly as Twilio sent it), or
    /// `only` (just the encrypted original, checked but never decrypted to disk).
    public enum Keep: String, Sendable, CaseIterable { case no, beside, only }
    public static let keepVariable = "CALLTOP_KEEP_ENCRYPTED"

    public var keyring: RecordingKeyring
    public var keep: Keep

    public init(keyring: RecordingKeyring, keep: Keep = .no) {
        self.keyring = keyring
        self.keep = keep
    }

    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) -> EncryptionSettings {
        EncryptionSettings(keyring: .fromEnvironment(env), keep: env[keepVariable].flatMap { Keep(rawValue: $0.lowercased()) } ?? .no)
    }

    /// The encrypted original's name beside the plaintext's.
    static func encryptedPath(for relative: String) -> String { relative + ".enc" }
}
