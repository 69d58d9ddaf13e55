import Foundation

/// What each store operation does inside its transaction, written once for
/// both engines over `SQLExecutor`. An engine (`Store` for SQLite,
/// `PostgresStore`) opens the transaction and calls one of these; the rules
/// in `CallStore` (compare-and-set writes, leases, fences) live here.
package enum StoreTransactions {}

// MARK: Calls and recordings

extension StoreTransactions {
    /// Inserts or refreshes calls; returns how many were new.
    static func upsertCalls(_ db: some SQLExecutor, _ calls: [TwilioCall], now: Date) throws -> Int {
        var inserted = 0
        // In SID order: two writers of the same calls (two syncs, a sync and a claim) lock their rows in one order.
        for c in calls.sorted(by: { $0.sid < $1.sid }) {
            let exists = try !db.scalar("SELECT 1 FROM calls WHERE sid = ?", [c.sid]).isNull
            try db.execute(StoreSQL.upsertCall, [
                c.sid, c.accountSid, c.parentCallSid, c.from ?? "", c.to ?? "", c.direction ?? "", c.status ?? "",
                c.startTime, c.endTime, c.dateCreated, c.durationS, c.price, c.priceUnit, now,
            ])
            if !exists { inserted += 1 }
        }
        return inserted
    }

    /// Inserts new recordings in their initial state; for known ones refreshes
    /// Twilio's metadata and keeps the download state, except that Twilio
    /// calling a recording absent, failed or deleted is final news.
    static func upsertRecordings(_ db: some SQLExecutor, _ recordings: [TwilioRecording], now: Date) throws -> Int {
        var inserted = 0
        for r in recordings {
            let verdict = RecordingStatusVerdict(status: r.status, errorCode: r.errorCode)
            // Inserted, unless it exists (or another writer inserted it just now): then Twilio's news refreshes it.
            if try insertRecording(db, sid: r.sid, callSid: r.callSid, accountSid: r.accountSid, status: r.status ?? "",
                                   durationS: r.durationS, channels: r.channels, source: r.source, errorCode: r.errorCode,
                                   startTime: r.startTime, dateCreated: r.dateCreated, uri: r.uri, track: r.track,
                                   verdict: verdict, nextRetryAt: verdict.state == .notReady ? now : nil, now: now) {
                inserted += 1
            } else {
                try db.execute(StoreSQL.refreshSyncedRecording, [
                    r.callSid, r.accountSid, r.status ?? "", r.durationS, r.channels, r.source, r.errorCode,
                    r.startTime, r.dateCreated, r.uri, r.track, now, r.sid,
                ])
                if verdict.isFinal {
                    try db.execute(StoreSQL.applyFinalVerdict, [verdict.state, verdict.reason, now, r.sid])
                }
            }
            try writeEncryption(db, r.encryptionDetails, status: r.status, errorCode: r.errorCode, recordingSid: r.sid, now: now)
        }
        return inserted
    }

    /// A recording seen for the first time (sync or a status callback), in the state its status gives it.
    /// False when it exists already (a concurrent writer may have inserted it a moment ago).
    @discardableResult
    package static func insertRecording(_ db: some SQLExecutor, sid: String, callSid: String?, accountSid: String?, status: String,
                                        durationS: Int?, channels: Int?, source: String?, errorCode: Int?, startTime: Date?,
                                        dateCreated: Date?, uri: String?, track: String?, verdict: RecordingStatusVerdict,
                                        nextRetryAt: Date?, now: Date) throws -> Bool {
        try db.execute(StoreSQL.insertRecording, [
            sid, callSid, accountSid, status, durationS, channels, source, errorCode, startTime, dateCreated, uri, track,
            verdict.state, verdict.reason, nextRetryAt, now, now,
        ]) > 0
    }

    /// Metadata fetched during a download refreshes what sync stored.
    static func refreshRecordingMetadata(_ db: some SQLExecutor, _ r: TwilioRecording, now: Date) throws {
        try db.execute(StoreSQL.refreshFetchedRecording, [
            r.status ?? "", r.durationS, r.channels, r.errorCode, r.uri, r.callSid, r.startTime, now, r.sid,
        ])
        try writeEncryption(db, r.encryptionDetails, status: nil, errorCode: nil, recordingSid: r.sid, now: now)
    }

    /// Called inside the transactions that write Twilio's recording metadata
    /// (sync, a download's metadata fetch, a status callback). Details once
    /// seen are kept: a later document without them does not make the audio plain.
    package static func writeEncryption(_ db: some SQLExecutor, _ details: EncryptionDetails?, status: String?, errorCode: Int?,
                                        recordingSid: String, now: Date) throws {
        if let details {
            try db.execute(StoreSQL.writeEncryptionDetails, [details.type, details.publicKeySid, details.encryptedCek, details.iv, recordingSid])
        }
        // 16105: never stored, as final as absent. Twilio reports it as `failed` or `absent`.
        let verdict = RecordingStatusVerdict(status: status, errorCode: errorCode)
        if errorCode == RecordingEncryptionError.notStoredNoValidKey, verdict.state == .absent {
            try db.execute(StoreSQL.applyFinalVerdict, [DownloadState.absent, verdict.reason, now, recordingSid])
        }
    }

    static func recording(_ db: some SQLExecutor, _ sid: String) throws -> StoredRecording? {
        try db.record(RecordingRecord.self, "SELECT * FROM recordings WHERE sid = ?", [sid]).map(StoredRecording.init)
    }

    /// A call's recordings, the primary (earliest) first.
    static func recordings(_ db: some SQLExecutor, ofCall callSid: String) throws -> [StoredRecording] {
        try db.records(RecordingRecord.self, "SELECT * FROM recordings WHERE call_sid = ? ORDER BY COALESCE(date_created, 0), sid", [callSid])
            .map(StoredRecording.init)
    }

    static func recordingSids(_ db: some SQLExecutor, inState states: [DownloadState]) throws -> [String] {
        guard !states.isEmpty else { return [] }
        let marks = Array(repeating: "?", count: states.count).joined(separator: ", ")
        return try db.query("SELECT sid FROM recordings WHERE download_state IN (\(marks)) ORDER BY COALESCE(date_created, 0) DESC",
                            states).compactMap { $0[0].string }
    }

    /// Recordings the downloader should try now: pending, waiting and due, or
    /// claimed by someone whose lease has run out.
    static func dueRecordingSids(_ db: some SQLExecutor, now: Date) throws -> [String] {
        try db.query(StoreSQL.dueRecordings, [now, now]).compactMap { $0[0].string }
    }

    static func downloadedRecordings(_ db: some SQLExecutor) throws -> [StoredRecording] {
        try db.records(RecordingRecord.self, "SELECT * FROM recordings WHERE download_state = ? ORDER BY sid", [DownloadState.downloaded])
            .map(StoredRecording.init)
    }

    /// The download state of each of `sids` the store knows: a few reads of up
    /// to 500 SIDs each, not one read per recording (a 2,000-recording run
    /// ended with 2,000 reads just to count its outcome).
    static func downloadStates(_ db: some SQLExecutor, among sids: Set<String>) throws -> [String: DownloadState] {
        var states: [String: DownloadState] = [:]
        let all = Array(sids)
        for start in stride(from: 0, to: all.count, by: 500) {
            let chunk = Array(all[start..<min(start + 500, all.count)])
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
            for row in try db.query("SELECT sid, download_state FROM recordings WHERE sid IN (\(marks))", chunk) {
                guard let sid = row[0].string, let state = row[1].string.flatMap(DownloadState.init(rawValue:)) else { continue }
                states[sid] = state
            }
        }
        return states
    }

    /// The earliest scheduled retry among `sids` (or all), if any.
    static func nextRetry(_ db: some SQLExecutor, among sids: Set<String>?) throws -> Date? {
        try db.query("""
            SELECT sid, next_retry_at FROM recordings WHERE download_state IN ('retrying', 'not_ready') AND next_retry_at IS NOT NULL
            """).filter { row in sids.map { row[0].string.map($0.contains) ?? false } ?? true }.compactMap { $0[1].date }.min()
    }

    /// A user's retry: failed or waiting recordings go back to pending at once,
    /// with a fresh retry budget. Returns the SIDs that moved.
    static func resetForRetry(_ db: some SQLExecutor, _ sids: [String], now: Date) throws -> [String] {
        try sids.filter { sid in try db.execute(StoreSQL.resetForRetry, [now, sid]) > 0 }
    }

    /// Stores one attempt and the decision it led to, and lets go of the claim.
    /// Returns false, writing nothing, when the claim was taken over meanwhile
    /// (the lease ran out): the newer holder's result stands.
    static func recordAttempt(_ db: some SQLExecutor, owner: LeaseOwner, holder: String, _ attempt: DownloadAttempt, decision: DownloadDecision,
                              memory: RetryMemory, file: SavedFile?, expectedBytes: Int64?, now: Date) throws -> Bool {
        guard try db.execute(StoreSQL.mayRecordDownload, [now, attempt.recordingSid, owner.description]) > 0 else { return false }
        try db.execute(StoreSQL.insertAttempt, [attempt.recordingSid, attempt.startedAt, attempt.httpStatus, attempt.twilioCode,
                                                attempt.bytes, attempt.durationMs, attempt.error])
        var nextRetry: Date?
        var lastError: String?
        switch decision {
        case .downloaded: break
        case let .retry(_, at, reason): nextRetry = at; lastError = reason
        case .failed(let reason), .absent(let reason): lastError = reason
        }
        try db.execute(StoreSQL.recordAttemptOutcome, [decision.state, memory.transientFailures, memory.notReadyTries,
                                                       memory.notReadySince, lastError, nextRetry, expectedBytes, now,
                                                       attempt.recordingSid])
        if let file {
            try db.execute(StoreSQL.recordSavedFile, [file.bytes, file.relativePath, file.sha256, attempt.recordingSid])
            try db.execute(StoreSQL.recordCopy, [attempt.recordingSid, holder, now])
        }
        if decision.state == .absent {
            try db.execute("UPDATE recordings SET status = 'absent' WHERE sid = ?", [attempt.recordingSid])
        }
        return true
    }

    /// The machines holding a verified copy of a recording's file.
    static func copyHolders(_ db: some SQLExecutor, ofRecording sid: String) throws -> [String] {
        try db.query("SELECT holder FROM recording_copies WHERE recording_sid = ? ORDER BY holder", [sid]).compactMap { $0[0].string }
    }

    static func attempts(_ db: some SQLExecutor, ofRecording sid: String) throws -> [DownloadAttempt] {
        try db.records(DownloadAttemptRecord.self, "SELECT * FROM download_attempts WHERE recording_sid = ? ORDER BY id", [sid]).map(\.attempt)
    }

    static func encryptionDetails(_ db: some SQLExecutor, of recordingSid: String) throws -> EncryptionDetails? {
        try db.record(RecordingRecord.self, "SELECT * FROM recordings WHERE sid = ?", [recordingSid])?.encryption
    }
}
