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
}
