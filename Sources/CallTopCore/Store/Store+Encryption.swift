import Foundation
import GRDB

/// Voice Recording Encryption in the store (#15): each recording's
/// `encryption_details` as Twilio published them. The private key is never here.
extension Store {
    static func encryptionMigration(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE recordings ADD COLUMN encryption_type TEXT;
            ALTER TABLE recordings ADD COLUMN public_key_sid TEXT;
            ALTER TABLE recordings ADD COLUMN encrypted_cek TEXT;
            ALTER TABLE recordings ADD COLUMN encryption_iv TEXT;
            """)
    }

    /// Called inside the transactions that write Twilio's recording metadata
    /// (sync, a download's metadata fetch, a status callback). Details once
    /// seen are kept: a later document without them does not make the audio plain.
    package static func writeEncryption(_ details: EncryptionDetails?, status: String?, errorCode: Int?, recordingSid: String,
                                now: Date, _ db: Database) throws {
        if let details {
            try db.execute(sql: """
                UPDATE recordings SET encryption_type = ?, public_key_sid = ?, encrypted_cek = ?, encryption_iv = ? WHERE sid = ?
                """, arguments: [details.type, details.publicKeySid, details.encryptedCek, details.iv, recordingSid])
        }
        // 16105: never stored, as final as absent. Twilio reports it as `failed` or `absent`.
        let verdict = RecordingStatusVerdict(status: status, errorCode: errorCode)
        if errorCode == RecordingEncryptionError.notStoredNoValidKey, verdict.state == .absent {
            try db.execute(sql: """
                UPDATE recordings SET download_state = 'absent', last_error = ?, next_retry_at = NULL, updated_at = ?
                WHERE sid = ? AND download_state NOT IN ('downloaded', 'downloading')
                """, arguments: [verdict.reason, now.timeIntervalSince1970, recordingSid])
        }
    }

    public func encryptionDetails(of recordingSid: String) throws -> EncryptionDetails? {
        try db.read { db in try RecordingRecord.fetchOne(db, key: recordingSid)?.encryption }
    }
}
