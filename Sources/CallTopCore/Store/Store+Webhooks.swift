import Foundation
import GRDB

/// What a Twilio recording status callback said, after its SIDs were checked.
public struct RecordingCallbackFacts: Sendable, Equatable {
    public var accountSid: String
    public var callSid: String
    public var recordingSid: String
    /// `in-progress`, `completed`, `absent` or `failed`.
    public var status: String
    public var durationS: Int?
    public var channels: Int?
    public var source: String?
    public var track: String?
    public var startTime: Date?
    public var errorCode: Int?
    /// #15: the callback's `EncryptionDetails` (Voice Recording Encryption).
    public var encryption: EncryptionDetails?

    public init(accountSid: String, callSid: String, recordingSid: String, status: String, durationS: Int? = nil,
                channels: Int? = nil, source: String? = nil, track: String? = nil, startTime: Date? = nil, errorCode: Int? = nil,
                encryption: EncryptionDetails? = nil) {
        self.accountSid = accountSid; self.callSid = callSid; self.recordingSid = recordingSid; self.status = status
        self.durationS = durationS; self.channels = channels; self.source = source; self.track = track
        self.startTime = startTime; self.errorCode = errorCode
        self.encryption = encryption
    }

    /// The recording's own API path, built from checked SIDs: never from the
    /// callback's `RecordingUrl`, whose host ignores region and edge (the seed bug).
    public var uri: String { "/2010-04-01/Accounts/\(accountSid)/Recordings/\(recordingSid).json" }
}

/// A call waiting for its transcript to settle, and what has been delivered for it.
public struct WebhookSettlement: Sendable, Equatable {
    public var callSid: String
    public var recordingSid: String?
    public var completedAt: Date
    public var checksDone: Int
    public var nextCheckAt: Date?
    /// 0 until the first delivery was queued.
    public var deliveredVersion: Int
    public var deliveredSource: String?

    public init(callSid: String, recordingSid: String?, completedAt: Date, checksDone: Int, nextCheckAt: Date?,
                deliveredVersion: Int, deliveredSource: String?) {
        self.callSid = callSid; self.recordingSid = recordingSid; self.completedAt = completedAt; self.checksDone = checksDone
        self.nextCheckAt = nextCheckAt; self.deliveredVersion = deliveredVersion; self.deliveredSource = deliveredSource
    }
}

/// One outbound delivery in the persistent outbox.
public struct OutboxDelivery: Sendable, Equatable {
    public var id: Int64
    public var callSid: String
    public var version: Int
    public var source: String
    public var payload: String
    /// `pending` until a 2xx, then `delivered`.
    public var state: String
    public var attempts: Int
    public var nextAttemptAt: Date
    public var lastError: String?
}

/// Where a call's outbound delivery stands, for the dashboard.
public enum WebhookDeliveryStatus: Sendable, Equatable {
    case delivered(version: Int)
    case pending(version: Int)
    /// At least one attempt failed; it will be tried again.
    case failing(version: Int, attempts: Int, lastError: String)
}

/// One final segment of Twilio real-time transcription.
public struct RealtimeSegment: Sendable, Equatable {
    public var transcriptionSid: String
    public var track: String
    public var sequenceId: Int
    public var text: String

    public init(transcriptionSid: String, track: String, sequenceId: Int, text: String) {
        self.transcriptionSid = transcriptionSid; self.track = track; self.sequenceId = sequenceId; self.text = text
    }
}

/// The word-level comparison of a call's offline and realtime transcripts.
public struct TranscriptCrossCheck: Sendable, Equatable {
    public var callSid: String
    /// 0 (same words) … 1 (nothing in common).
    public var disagreement: Double
    public var offlineWords: Int
    public var realtimeWords: Int
    public var suspect: Bool
    public var checkedAt: Date

    public init(callSid: String, disagreement: Double, offlineWords: Int, realtimeWords: Int, suspect: Bool, checkedAt: Date) {
        self.callSid = callSid; self.disagreement = disagreement; self.offlineWords = offlineWords
        self.realtimeWords = realtimeWords; self.suspect = suspect; self.checkedAt = checkedAt
    }
}

extension Store {
    // MARK: Recording status callbacks

    /// Applies a recording status callback and returns the recording's download
    /// state afterwards. Idempotent: a duplicate changes nothing, and a late
    /// `in-progress` never undoes `completed`; `absent` is final news, as in sync.
    @discardableResult
    public func applyRecordingCallback(_ f: RecordingCallbackFacts, now: Date) throws -> DownloadState {
        try db.write { db in
            let t = now.timeIntervalSince1970
            // The call may be unknown (no sync yet): a minimal row lets it show; sync fills it in.
            try db.execute(sql: """
                INSERT INTO calls(sid, account_sid, start_time, synced_at) VALUES (?, ?, ?, ?)
                ON CONFLICT(sid) DO NOTHING
                """, arguments: [f.callSid, f.accountSid, f.startTime?.timeIntervalSince1970, t])
            let verdict = RecordingStatusVerdict(status: f.status, errorCode: f.errorCode)
            let current = try String.fetchOne(db, sql: "SELECT download_state FROM recordings WHERE sid = ?", arguments: [f.recordingSid])
            guard let current else {
                let state = verdict.state
                try db.execute(sql: """
                    INSERT INTO recordings(sid, call_sid, account_sid, status, duration_s, channels, source, error_code,
                        start_time, date_created, uri, track, download_state, last_error, updated_at, metadata_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [f.recordingSid, f.callSid, f.accountSid, f.status, f.durationS, f.channels, f.source,
                                     f.errorCode, f.startTime?.timeIntervalSince1970, f.startTime?.timeIntervalSince1970,
                                     f.uri, f.track, state.rawValue, verdict.reason, t, t])
                try Store.writeEncryption(f.encryption, status: f.status, errorCode: f.errorCode, recordingSid: f.recordingSid, now: now, db)  // #15
                return (try String.fetchOne(db, sql: "SELECT download_state FROM recordings WHERE sid = ?", arguments: [f.recordingSid]))
                    .flatMap(DownloadState.init(rawValue:)) ?? state
            }
            guard f.status != "in-progress" else { return DownloadState(rawValue: current) ?? .pending }
            try db.execute(sql: """
                UPDATE recordings SET status = ?, duration_s = COALESCE(?, duration_s), channels = COALESCE(?, channels),
                    source = COALESCE(?, source), error_code = COALESCE(?, error_code), track = COALESCE(?, track),
                    uri = COALESCE(uri, ?), call_sid = COALESCE(call_sid, ?), metadata_at = ?
                WHERE sid = ? AND status IS NOT 'absent'
                """, arguments: [f.status, f.durationS, f.channels, f.source, f.errorCode, f.track, f.uri, f.callSid, t, f.recordingSid])
            switch verdict.state {
            case .pending:
                // Twilio says the media is ready: stop waiting for the not-ready schedule.
                try db.execute(sql: """
                    UPDATE recordings SET download_state = 'pending', next_retry_at = NULL, not_ready_tries = 0,
                        not_ready_since = NULL, updated_at = ?
                    WHERE sid = ? AND download_state = 'not_ready'
                    """, arguments: [t, f.recordingSid])
            case .absent, .failed:
                try db.execute(sql: """
                    UPDATE recordings SET download_state = ?, last_error = ?, next_retry_at = NULL, updated_at = ?
                    WHERE sid = ? AND download_state NOT IN ('downloaded', 'downloading', 'absent')
                    """, arguments: [verdict.state.rawValue, verdict.reason, t, f.recordingSid])
            default:
                break
            }
            try Store.writeEncryption(f.encryption, status: f.status, errorCode: f.errorCode, recordingSid: f.recordingSid, now: now, db)  // #15
            let after = try String.fetchOne(db, sql: "SELECT download_state FROM recordings WHERE sid = ?", arguments: [f.recordingSid])
            return after.flatMap(DownloadState.init(rawValue:)) ?? .pending
        }
    }

    // MARK: Realtime segments

    /// Stores one final segment; returns false when it was already there (a retried callback).
    @discardableResult
    public func saveRealtimeSegment(_ s: RealtimeSegment, callSid: String, now: Date) throws -> Bool {
        try db.write { db in
            try db.execute(sql: """
                INSERT INTO realtime_segments(call_sid, transcription_sid, track, sequence_id, text, received_at)
                VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                """, arguments: [callSid, s.transcriptionSid, s.track, s.sequenceId, s.text, now.timeIntervalSince1970])
            return db.changesCount > 0
        }
    }

    /// A call's final segments, in sequence order.
    public func realtimeSegments(_ callSid: String) throws -> [RealtimeSegment] {
        try db.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM realtime_segments WHERE call_sid = ? ORDER BY sequence_id, track, transcription_sid
                """, arguments: [callSid]).map {
                RealtimeSegment(transcriptionSid: $0["transcription_sid"], track: $0["track"], sequenceId: $0["sequence_id"], text: $0["text"])
            }
        }
    }

    // MARK: Settlement (the wait for the offline transcript)

    /// Starts a call's wait window; a later recording of the same call does not restart it.
    public func beginSettlement(callSid: String, recordingSid: String?, completedAt: Date, firstCheckAt: Date) throws {
        try db.write { db in
            try db.execute(sql: """
                INSERT INTO webhook_settlements(call_sid, recording_sid, completed_at, next_check_at) VALUES (?, ?, ?, ?)
                ON CONFLICT(call_sid) DO NOTHING
                """, arguments: [callSid, recordingSid, completedAt.timeIntervalSince1970, firstCheckAt.timeIntervalSince1970])
        }
    }

    public func settlement(_ callSid: String) throws -> WebhookSettlement? {
        try db.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM webhook_settlements WHERE call_sid = ?", arguments: [callSid]).map(Self.settlement)
        }
    }

    /// Settlements to look at now: a check is due, or an offline transcript
    /// exists that has not been delivered yet (it settles a call at once and
    /// supersedes a realtime fallback).
    public func dueSettlements(now: Date) throws -> [WebhookSettlement] {
        try db.read { db in
            try Row.fetchAll(db, sql: """
                SELECT s.* FROM webhook_settlements s
                WHERE s.next_check_at <= ?
                   OR (COALESCE(s.delivered_source, '') != 'offline'
                       AND EXISTS (SELECT 1 FROM transcripts t WHERE t.call_sid = s.call_sid AND t.source = 'offline' AND TRIM(t.text) != ''))
                ORDER BY s.completed_at
                """, arguments: [now.timeIntervalSince1970]).map(Self.settlement)
        }
    }

    /// The earliest scheduled check, for the loop's sleep.
    public func nextSettlementCheck() throws -> Date? {
        try db.read { db in
            try Double.fetchOne(db, sql: "SELECT MIN(next_check_at) FROM webhook_settlements").map(Date.init(timeIntervalSince1970:))
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
    public func enqueueDelivery(callSid: String, previousVersion: Int, version: Int, source: String, payload: String,
                                checksDone: Int, now: Date) throws -> Bool {
        try db.write { db in
            try db.execute(sql: """
                UPDATE webhook_settlements SET delivered_version = ?, delivered_source = ?, checks_done = ?, next_check_at = NULL
                WHERE call_sid = ? AND delivered_version = ?
                """, arguments: [version, source, checksDone, callSid, previousVersion])
            guard db.changesCount == 1 else { return false }
            try db.execute(sql: """
                INSERT INTO webhook_outbox(call_sid, version, source, payload, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [callSid, version, source, payload, now.timeIntervalSince1970, now.timeIntervalSince1970])
            return true
        }
    }

    private static func settlement(_ row: Row) -> WebhookSettlement {
        WebhookSettlement(callSid: row["call_sid"], recordingSid: row["recording_sid"],
                          completedAt: Date(timeIntervalSince1970: row["completed_at"]), checksDone: row["checks_done"],
                          nextCheckAt: (row["next_check_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
                          deliveredVersion: row["delivered_version"], deliveredSource: row["delivered_source"])
    }

    // MARK: Outbox

    /// Pending deliveries whose time has come, oldest first. A call's later
    /// version waits until its earlier one is acknowledged, so a receiver never
    /// sees an update before the document it supersedes.
    public func dueDeliveries(now: Date, limit: Int = 32) throws -> [OutboxDelivery] {
        try db.read { db in
            try Row.fetchAll(db, sql: """
                SELECT o.* FROM webhook_outbox o
                WHERE o.state = 'pending' AND o.next_attempt_at <= ?
                  AND NOT EXISTS (SELECT 1 FROM webhook_outbox e WHERE e.call_sid = o.call_sid AND e.state = 'pending' AND e.version < o.version)
                ORDER BY o.id LIMIT ?
                """, arguments: [now.timeIntervalSince1970, max(1, limit)]).map(Self.delivery)
        }
    }

    public func nextDeliveryAttempt() throws -> Date? {
        try db.read { db in
            try Double.fetchOne(db, sql: "SELECT MIN(next_attempt_at) FROM webhook_outbox WHERE state = 'pending'")
                .map(Date.init(timeIntervalSince1970:))
        }
    }

    public func markDelivered(_ id: Int64, now: Date) throws {
        try db.write { db in
            try db.execute(sql: "UPDATE webhook_outbox SET state = 'delivered', attempts = attempts + 1, last_error = NULL, delivered_at = ? WHERE id = ?",
                           arguments: [now.timeIntervalSince1970, id])
        }
    }

    public func markDeliveryFailed(_ id: Int64, error: String, nextAttemptAt: Date) throws {
        try db.write { db in
            try db.execute(sql: "UPDATE webhook_outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ? AND state = 'pending'",
                           arguments: [error, nextAttemptAt.timeIntervalSince1970, id])
        }
    }

    /// Every delivery of a call, oldest version first.
    public func deliveries(ofCall callSid: String) throws -> [OutboxDelivery] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM webhook_outbox WHERE call_sid = ? ORDER BY version", arguments: [callSid]).map(Self.delivery)
        }
    }

    /// The state of a call's newest delivery, or nil when nothing was queued.
    public func deliveryStatus(_ callSid: String) throws -> WebhookDeliveryStatus? {
        guard let d = try deliveries(ofCall: callSid).last else { return nil }
        if d.state == "delivered" { return .delivered(version: d.version) }
        if let error = d.lastError, d.attempts > 0 { return .failing(version: d.version, attempts: d.attempts, lastError: error) }
        return .pending(version: d.version)
    }

    private static func delivery(_ row: Row) -> OutboxDelivery {
        OutboxDelivery(id: row["id"], callSid: row["call_sid"], version: row["version"], source: row["source"], payload: row["payload"],
                       state: row["state"], attempts: row["attempts"],
                       nextAttemptAt: Date(timeIntervalSince1970: row["next_attempt_at"]), lastError: row["last_error"])
    }

    // MARK: Cross-check

    public func saveCrossCheck(_ c: TranscriptCrossCheck) throws {
        try db.write { db in
            try db.execute(sql: """
                INSERT INTO transcript_crosschecks(call_sid, disagreement, offline_words, realtime_words, suspect, checked_at)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(call_sid) DO UPDATE SET disagreement = excluded.disagreement, offline_words = excluded.offline_words,
                    realtime_words = excluded.realtime_words, suspect = excluded.suspect, checked_at = excluded.checked_at
                """, arguments: [c.callSid, c.disagreement, c.offlineWords, c.realtimeWords, c.suspect, c.checkedAt.timeIntervalSince1970])
        }
    }

    public func crossCheck(_ callSid: String) throws -> TranscriptCrossCheck? {
        try db.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM transcript_crosschecks WHERE call_sid = ?", arguments: [callSid]).map {
                TranscriptCrossCheck(callSid: $0["call_sid"], disagreement: $0["disagreement"], offlineWords: $0["offline_words"],
                                     realtimeWords: $0["realtime_words"], suspect: $0["suspect"],
                                     checkedAt: Date(timeIntervalSince1970: $0["checked_at"]))
            }
        }
    }

    /// Calls whose offline and realtime transcripts disagree beyond the threshold
    /// (`list --json`'s `suspect` field, the dashboard's mark).
    public func suspectCallSids() throws -> Set<String> {
        try db.read { db in Set(try String.fetchAll(db, sql: "SELECT call_sid FROM transcript_crosschecks WHERE suspect = 1")) }
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

extension Store {
    /// Recordings of calls still waiting to settle whose download never finished
    /// (serve was stopped or killed mid-way): serve queues them again at start.
    public func unsettledRecordings() throws -> [(callSid: String, recordingSid: String)] {
        try db.read { db in
            try Row.fetchAll(db, sql: """
                SELECT r.call_sid, r.sid FROM webhook_settlements s JOIN recordings r ON r.call_sid = s.call_sid
                WHERE s.delivered_version = 0 AND r.download_state IN ('pending', 'downloading', 'not_ready', 'retrying')
                """).map { (callSid: $0["call_sid"], recordingSid: $0["sid"]) }
        }
    }
}
