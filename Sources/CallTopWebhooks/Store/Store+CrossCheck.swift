import CallTopCore
import Foundation
import GRDB

extension Store {
    public func saveCrossCheck(_ c: TranscriptCrossCheck) throws {
        try db.write { db in try CrossCheckRecord(c).upsert(db) }
    }

    public func crossCheck(_ callSid: String) throws -> TranscriptCrossCheck? {
        try db.read { db in try CrossCheckRecord.fetchOne(db, key: callSid)?.crossCheck }
    }

    /// Calls with both transcripts whose cross-check is missing or older than either transcript.
    public func callsNeedingCrossCheck() throws -> [String] {
        try db.read { db in
            try String.fetchAll(db, sql: """
                SELECT o.call_sid FROM transcripts o
                JOIN transcripts r ON r.call_sid = o.call_sid AND r.source = 'realtime' AND TRIM(r.text) != ''
                LEFT JOIN transcript_crosschecks c ON c.call_sid = o.call_sid
                WHERE o.source = 'offline' AND TRIM(o.text) != ''
                GROUP BY o.call_sid
                HAVING MAX(c.checked_at) IS NULL OR MAX(c.checked_at) < MAX(MAX(o.created_at), MAX(r.created_at))
                """)
        }
    }
}
