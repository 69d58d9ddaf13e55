import CallTopCore
import Foundation
import GRDB

extension Store {
    /// Starts a call's wait window; a later recording of the same call does not restart it.
    public func beginSettlement(callSid: String, recordingSid: String?, completedAt: Date, firstCheckAt: Date) throws {
        try db.write { db in
            try SettlementRecord(callSid: callSid, recordingSid: recordingSid, completedAt: completedAt, checksDone: 0,
                                 nextCheckAt: firstCheckAt, deliveredVersion: 0, deliveredSource: nil).insert(db, onConflict: .ignore)
        }
    }

    public func settlement(_ callSid: String) throws -> WebhookSettlement? {
        try db.read { db in try SettlementRecord.fetchOne(db, key: callSid)?.settlement }
    }

    /// Settlements to look at now: a check is due, or an offline transcript
    /// exists that has not been delivered yet (it settles a call at once and
    /// supersedes a realtime fallback). `SettlementPolicy` makes the decision;
    /// this only finds the candidates, and a test pins the two together.
    public func dueSettlements(now: Date) throws -> [WebhookSettlement] {
        try db.read { db in
            try SettlementRecord.fetchAll(db, sql: """
                SELECT s.* FROM webhook_settlements s
                WHERE s.next_check_at <= ?
                   OR (COALESCE(s.delivered_source, '') != 'offline'
                       AND EXISTS (SELECT 1 FROM transcripts t WHERE t.call_sid = s.call_sid AND t.source = 'offline' AND TRIM(t.text) != ''))
                ORDER BY s.completed_at
                """, arguments: [now.timeIntervalSince1970]).map(\.settlement)
        }
    }

    /// The earliest scheduled check, for the loop's sleep.
    public func nextSettlementCheck() throws -> Date? {
        try db.read { db in
            try SettlementRecord.filter(Column("next_check_at") != nil).order(Column("next_check_at")).fetchOne(db)?.nextCheckAt
        }
    }

    /// Records a check that did not settle the call (or stops checking: nil).
    public func scheduleSettlementCheck(callSid: String, checksDone: Int, nextCheckAt: Date?) throws {
        try db.write { db in
            try db.execute(sql: "UPDATE webhook_settlements SET checks_done = ?, next_check_at = ? WHERE call_sid = ?",
                           arguments: [checksDone, nextCheckAt?.timeIntervalSince1970, callSid])
        }
    }

    /// Queues delivery `version` of a call, only if the call's delivered version
    /// is still `previousVersion` (compare-and-set: two ticks racing, or a tick
    /// repeated after a crash, can never queue the same version twice).
    @discardableResult
    public func enqueueDelivery(callSid: String, previousVersion: Int, version: Int, source: TranscriptSource, payload: String,
                                checksDone: Int, now: Date) throws -> Bool {
        try db.write { db in
            try db.execute(sql: """
                UPDATE webhook_settlements SET delivered_version = ?, delivered_source = ?, checks_done = ?, next_check_at = NULL
                WHERE call_sid = ? AND delivered_version = ?
                """, arguments: [version, source, checksDone, callSid, previousVersion])
            guard db.changesCount == 1 else { return false }
            try OutboxRecord(id: nil, callSid: callSid, version: version, source: source, payload: payload, state: .pending,
                             attempts: 0, nextAttemptAt: now, lastError: nil, createdAt: now, deliveredAt: nil).insert(db)
            return true
        }
    }
}

extension Store {
    /// Recordings of calls still waiting to settle whose download never finished
    /// (serve was stopped or killed mid-way): serve queues them again at start.
    public func unsettledRecordings() throws -> [(callSid: String, recordingSid: String)] {
        try db.read { db in
            try RecordingRef.fetchAll(db, sql: """
                SELECT r.call_sid, r.sid AS recording_sid FROM webhook_settlements s JOIN recordings r ON r.call_sid = s.call_sid
                WHERE s.delivered_version = 0 AND r.download_state IN ('pending', 'downloading', 'not_ready', 'retrying')
                """).map { (callSid: $0.callSid, recordingSid: $0.recordingSid) }
        }
    }
}

/// A call and one of its recordings, as a query returns them.
private struct RecordingRef: Decodable, FetchableRecord {
    static var databaseColumnDecodingStrategy: DatabaseColumnDecodingStrategy { .convertFromSnakeCase }
    var callSid: String
    var recordingSid: String
}
