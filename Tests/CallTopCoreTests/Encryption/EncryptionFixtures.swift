import Foundation
@testable import CallTopCore

/// The known vector in Tests/Fixtures/encrypted (made by make-vector.sh with
/// openssl and Python's cryptography, not by calltop) and private key folders.
enum EncryptionFixtures {
    static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Fixtures/encrypted").standardizedFileURL
    static let keySid = "CRaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

    static func details() throws -> EncryptionDetails {
        try JSONDecoder().decode(EncryptionDetails.self, from: Data(contentsOf: dir.appendingPathComponent("encryption_details.json")))
    }

    static func body() throws -> Data { try Data(contentsOf: dir.appendingPathComponent("body.enc")) }
    static func plain() throws -> Data { try Data(contentsOf: dir.appendingPathComponent("plain.wav")) }
    static func keyPEM() throws -> String { try String(contentsOf: dir.appendingPathComponent("\(keySid).pem"), encoding: .utf8) }

    /// A fresh private key folder holding `pems` (SID → PEM), each file with `mode`
    /// (git does not keep 0600, so the fixture's own file cannot be used as is).
    static func keysDir(_ pems: [String: String], mode: mode_t = 0o600) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("calltop-keys-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        for (sid, pem) in pems {
            let url = dir.appendingPathComponent("\(sid).pem")
            try Data(pem.utf8).write(to: url)
            chmod(url.path, mode)
        }
        return dir
    }
}
