import CallTopCore
import Foundation

/// What each of serve's store operations does inside its transaction,
/// written once for both engines (see `StoreTransactions` in Core).
enum WebhookTransactions {
    // MARK: Recording status callbacks

    /// Applies a recording status callback and returns the recording's download
    /// state afterwards. Idempotent: a duplicate changes nothing, and a late
    /// `in-progress` never undoes `completed`; `absent` is final news, as in sync.
    static func applyRecordingCallback(_ db: some SQLExecutor, _ f: RecordingCallbackFacts, now: Date) throws -> DownloadState {
        // The call may be unknown (no sync yet): a minimal row lets it show; sync fills it in.
        try db.execute("INSERT INTO calls(sid, account_sid, start_time, synced_at) VALUES (?, ?, ?, ?) ON CONFLICT(sid) DO NOTHING",
                       [f.callSid, f.accountSid, f.startTime, now])
        let verdict = RecordingStatusVerdict(status: f.status, errorCode: f.errorCode)
        func state() throws -> DownloadState? {
            try db.scalar("SELECT download_state FROM recordings WHERE sid = ?", [f.recordingSid]).string.flatMap(DownloadState.init(rawValue:))
        }
        // New: inserted in the state its status gives it. Known (or inserted a moment ago by a
        // sync or another replica): the callback's news is applied to it below.
        if try StoreTransactions.insertRecording(db, sid: f.recordingSid, callSid: f.callSid, accountSid: f.accountSid, status: f.status,
                                                 durationS: f.durationS, channels: f.channels, source: f.source, errorCode: f.errorCode,
                                                 startTime: f.startTime, dateCreated: f.startTime, uri: f.uri, track: f.track,
                                                 verdict: verdict, nextRetryAt: nil, now: now) {
            try StoreTransactions.writeEncryption(db, f.encryption, status: f.status, errorCode: f.errorCode, recordingSid: f.recordingSid, now: now)  // #15
            return try state() ?? verdict.state
        }
        guard let current = try state() else { return verdict.state }
        guard f.status != "in-progress" else { return current }
        try db.execute("""
            UPDATE recordings SET status = ?, duration_s = COALESCE(?, duration_s), channels = COALESCE(?, channels),
                source = COALESCE(?, source), error_code = COALESCE(?, error_code), track = COALESCE(?, track),
                uri = COALESCE(uri, ?), call_sid = COALESCE(call_sid, ?), metadata_at = ?
            WHERE sid = ? AND status IS DISTINCT FROM 'absent'
            """, [f.status, f.durationS, f.channels, f.source, f.errorCode, f.track, f.uri, f.callSid, now, f.recordingSid])
        switch verdict.state {
        case .pending:
            // Twilio says the media is ready: stop waiting for the not-ready schedule.
            try db.execute("""
                UPDATE recordings SET download_state = 'pending', next_retry_at = NULL, not_ready_tries = 0,
                    not_ready_since = NULL, updated_at = ?
                WHERE sid = ? AND download_state = 'not_ready'
                """, [now, f.recordingSid])
        case .absent, .failed:
            try db.execute("""
                UPDATE recordings SET download_state = ?, last_error = ?, next_retry_at = NULL, updated_at = ?
                WHERE sid = ? AND download_state NOT IN ('downloaded', 'downloading', 'absent')
                """, [verdict.state, verdict.reason, now, f.recordingSid])
        default:
            break
        }
        try StoreTransactions.writeEncryption(db, f.encryption, status: f.status, errorCode: f.errorCode, recordingSid: f.recordingSid, now: now)  // #15
        return try state() ?? .pending
    }

    // MARK: Realtime segments

    static func saveRealtimeSegment(_ db: some SQLExecutor, _ s: RealtimeSegment, callSid: String, now: Date) throws -> Bool {
        try db.execute("""
            INSERT INTO realtime_segments(call_sid, transcription_sid, track, sequence_id, text, received_at) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT DO NOTHING
            """, [callSid, s.transcriptionSid, s.track, s.sequenceId, s.text, now]) > 0
    }

    static func realtimeSegments(_ db: some SQLExecutor, _ callSid: String) throws -> [RealtimeSegment] {
        try db.records(RealtimeSegmentRecord.self, "SELECT * FROM realtime_segments WHERE call_sid = ? ORDER BY sequence_id, track, transcription_sid",
                       [callSid]).map(\.segment)
    }

    // MARK: Settlements

    static func beginSettlement(_ db: some SQLExecutor, callSid: String, recordingSid: String?, completedAt: Date, firstCheckAt: Date) throws {
        try db.execute("""
            INSERT INTO webhook_settlements(call_sid, recording_sid, completed_at, checks_done, next_check_at, delivered_version, delivered_source)
            VALUES (?, ?, ?, 0, ?, 0, NULL) ON CONFLICT DO NOTHING
            """, [callSid, recordingSid, completedAt, firstCheckAt])
    }

    static func settlement(_ db: some SQLExecutor, _ callSid: String) throws -> WebhookSettlement? {
        try db.record(SettlementRecord.self, "SELECT * FROM webhook_settlements WHERE call_sid = ?", [callSid])?.settlement
    }

    /// Settlements to look at now: a check is due, or an offline transcript
    /// exists that has not been delivered yet (it settles a call at once and
    /// supersedes a realtime fallback). `SettlementPolicy` makes the decision;
    /// this only finds the candidates, and a test pins the two together.
    static func dueSettlements(_ db: some SQLExecutor, now: Date) throws -> [WebhookSettlement] {
        try db.records(SettlementRecord.self, """
            SELECT s.* FROM webhook_settlements s
            WHERE s.next_check_at <= ?
               OR (COALESCE(s.delivered_source, '') != 'offline'
                   AND EXISTS (SELECT 1 FROM transcripts t WHERE t.call_sid = s.call_sid AND t.source = 'offline' AND TRIM(t.text) != ''))
            ORDER BY s.completed_at
            """, [now]).map(\.settlement)
    }

    static func nextSettlementCheck(_ db: some SQLExecutor) throws -> Date? {
        try db.scalar("SELECT MIN(next_check_at) FROM webhook_settlements WHERE next_check_at IS NOT NULL").date
    }

    static func scheduleSettlementCheck(_ db: some SQLExecutor, callSid: String, checksDone: Int, nextCheckAt: Date?) throws {
        try db.execute("UPDATE webhook_settlements SET checks_done = ?, next_check_at = ? WHERE call_sid = ?", [checksDone, nextCheckAt, callSid])
    }

    /// Queues delivery `version` of a call, only if the call's delivered version
    /// is still `previousVersion` (compare-and-set: two ticks racing, two
    /// replicas, or a tick repeated after a crash can never queue a version twice).
    static func enqueueDelivery(_ db: some SQLExecutor, callSid: String, previousVersion: Int, version: Int, source: TranscriptSource,
                                payload: String, checksDone: Int, now: Date) throws -> Bool {
        guard try db.execute("""
            UPDATE webhook_settlements SET delivered_version = ?, delivered_source = ?, checks_done = ?, next_check_at = NULL
            WHERE call_sid = ? AND delivered_version = ?
            """, [version, source, checksDone, callSid, previousVersion]) == 1
        else { return false }
        try db.execute("""
            INSERT INTO webhook_outbox(call_sid, version, source, payload, state, attempts, next_attempt_at, created_at)
            VALUES (?, ?, ?, ?, 'pending', 0, ?, ?)
            """, [callSid, version, source, payload, now, now])
        return true
    }

    /// Recordings of calls still waiting to settle whose download never finished
    /// (serve was stopped or killed mid-way): serve queues them again at start.
    static func unsettledRecordings(_ db: some SQLExecutor) throws -> [(callSid: String, recordingSid: String)] {
        try db.query("""
            SELECT r.call_sid, r.sid FROM webhook_settlements s JOIN recordings r ON r.call_sid = s.call_sid
            WHERE s.delivered_version = 0 AND r.download_state IN ('pending', 'downloading', 'not_ready', 'retrying')
            """).compactMap { row in row[0].string.flatMap { call in row[1].string.map { (callSid: call, recordingSid: $0) } } }
    }

    // MARK: Outbox

    /// Pending deliveries whose time has come, oldest first. A call's later
    /// version waits until its earlier one is acknowledged, so a receiver never
    /// sees an update before the document it supersedes.
    /// Over the alias `o`; argument: now.
    static let isDue = """
        o.state = 'pending' AND o.next_attempt_at <= ?
          AND NOT EXISTS (SELECT 1 FROM webhook_outbox e WHERE e.call_sid = o.call_sid AND e.state = 'pending' AND e.version < o.version)
        """

    static let dueDeliveriesSQL = "SELECT o.* FROM webhook_outbox o WHERE \(isDue) ORDER BY o.id LIMIT ?"

    static func dueDeliveries(_ db: some SQLExecutor, now: Date, limit: Int) throws -> [OutboxDelivery] {
        try db.records(OutboxRecord.self, dueDeliveriesSQL, [now, max(1, limit)]).map(\.delivery)
    }

    /// Claims the due deliveries no one else is sending (serve replicas share one
    /// outbox): each is leased to `owner` while it is sent, so no two replicas send
    /// it at once; a replica killed mid-send leaves it to another once the lease runs out.
    static func claimDueDeliveries(_ db: some SQLExecutor, now: Date, limit: Int, skipLocked: String, owner: LeaseOwner,
                                   lease: LeaseTerms) throws -> [OutboxDelivery] {
        try db.records(OutboxRecord.self, """
            UPDATE webhook_outbox SET lease_owner = ?, lease_expires_at = ?
            WHERE id IN (
                SELECT o.id FROM webhook_outbox o
                WHERE \(isDue) AND COALESCE(o.lease_expires_at, 0) < ?
                ORDER BY o.id LIMIT ?\(skipLocked))
            RETURNING *
            """, [owner.description, now.addingTimeInterval(lease.duration), now, now, max(1, limit)]).map(\.delivery).sorted { $0.id < $1.id }
    }

    /// Just before a claimed delivery is sent: still ours? Then its lease runs on from now, so a long
    /// batch never lets another replica take it mid-send. Arguments are the delivery's and the claim's.
    static func holdDelivery(_ db: some SQLExecutor, _ id: Int64, owner: LeaseOwner, lease: LeaseTerms, now: Date) throws -> Bool {
        try db.execute("UPDATE webhook_outbox SET lease_expires_at = ? WHERE id = ? AND lease_owner = ? AND state = 'pending'",
                       [now.addingTimeInterval(lease.duration), id, owner.description]) > 0
    }

    /// Releases claimed deliveries whose sender is gone, as `reclaimAbandonedWork` does for downloads:
    /// a serve killed between claiming a batch and marking each result would otherwise keep the rest
    /// of the batch from its restarted self until the lease ran out. Arguments as there.
    static func releaseAbandonedDeliveries(_ db: some SQLExecutor, now: Date, trustLocalProcesses: Bool) throws -> Int {
        let t = now.timeIntervalSince1970
        var released = 0
        for held in try db.query("SELECT id, lease_owner, lease_expires_at FROM webhook_outbox WHERE state = 'pending' AND lease_owner IS NOT NULL") {
            guard let id = held[0].int, StoreTransactions.isAbandoned(owner: held[1].string, expiresAt: held[2].double, now: t,
                                                                     trustLocalProcesses: trustLocalProcesses) else { continue }
            released += try db.execute("""
                UPDATE webhook_outbox SET lease_owner = NULL, lease_expires_at = NULL
                WHERE id = ? AND state = 'pending' AND lease_owner = ?
                """, [id, held[1]])
        }
        return released
    }

    static func nextDeliveryAttempt(_ db: some SQLExecutor) throws -> Date? {
        try db.scalar("SELECT MIN(next_attempt_at) FROM webhook_outbox WHERE state = 'pending'").date
    }

    static func markDelivered(_ db: some SQLExecutor, _ id: Int64, now: Date) throws {
        try db.execute("""
            UPDATE webhook_outbox SET state = 'delivered', attempts = attempts + 1, last_error = NULL, delivered_at = ?,
                lease_owner = NULL, lease_expires_at = NULL
            WHERE id = ?
            """, [now, id])
    }

    static func markDeliveryFailed(_ db: some SQLExecutor, _ id: Int64, error: String, nextAttemptAt: Date) throws {
        try db.execute("""
            UPDATE webhook_outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, lease_owner = NULL, lease_expires_at = NULL
            WHERE id = ? AND state = 'pending'
            """, [error, nextAttemptAt, id])
    }

    static func deliveries(_ db: some SQLExecutor, ofCall callSid: String) throws -> [OutboxDelivery] {
        try db.records(OutboxRecord.self, "SELECT * FROM webhook_outbox WHERE call_sid = ? ORDER BY version", [callSid]).map(\.delivery)
    }

    // MARK: Cross-checks

    static func saveCrossCheck(_ db: some SQLExecutor, _ c: TranscriptCrossCheck) throws {
        try db.execute("""
            INSERT INTO transcript_crosschecks(call_sid, disagreement, offline_words, realtime_words, suspect, checked_at)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT(call_sid) DO UPDATE SET disagreement = excluded.disagreement, offline_words = excluded.offline_words,
                realtime_words = excluded.realtime_words, suspect = excluded.suspect, checked_at = excluded.checked_at
            """, [c.callSid, c.disagreement, c.offlineWords, c.realtimeWords, c.suspect, c.checkedAt])
    }

    static func crossCheck(_ db: some SQLExecutor, _ callSid: String) throws -> TranscriptCrossCheck? {
        try db.record(CrossCheckRecord.self, "SELECT * FROM transcript_crosschecks WHERE call_sid = ?", [callSid])?.crossCheck
    }

    /// Calls with both transcripts whose cross-check is missing or older than either transcript.
    static func callsNeedingCrossCheck(_ db: some SQLExecutor) throws -> [String] {
        try db.query("""
            SELECT o.call_sid FROM transcripts o
            JOIN transcripts r ON r.call_sid = o.call_sid AND r.source = 'realtime' AND TRIM(r.text) != ''
            LEFT JOIN transcript_crosschecks c ON c.call_sid = o.call_sid
            WHERE o.source = 'offline' AND TRIM(o.text) != ''
            GROUP BY o.call_sid
            HAVING MAX(c.checked_at) IS NULL OR MAX(c.checked_at) < MAX(o.created_at) OR MAX(c.checked_at) < MAX(r.created_at)
            """).compactMap { $0[0].string }
    }
}
