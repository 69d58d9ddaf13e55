import Foundation
import GRDB

/// The local SQLite store (WAL, so the dashboard and a CLI command can use it
/// at once). All SQL lives in this folder; callers see plain values.
public final class Store: Sendable {
    public let dataDir: URL
    package let db: DatabasePool
    /// Whose claims this store's writes make, and how long they last.
    public let owner: LeaseOwner
    public let lease: LeaseTerms

    public var recordingsDir: URL { dataDir.appendingPathComponent("recordings", isDirectory: true) }

    public init(dataDir: URL, owner: LeaseOwner = .thisProcess, lease: LeaseTerms = LeaseTerms()) throws {
        self.dataDir = dataDir
        self.owner = owner
        self.lease = lease
        try PrivateFiles.prepareStore(in: dataDir)
        var config = Configuration()
        config.busyMode = .timeout(15)
        config.label = "calltop"
        // WAL + NORMAL: a commit survives a crash of calltop; only a power cut can
        // drop the last few, and the store stays consistent (files are fsynced on
        // their own before they are recorded). FULL costs an fsync per state change.
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        db = try DatabasePool(path: dataDir.appendingPathComponent("calltop.sqlite").path, configuration: config)
        try StoreSchema.migrate(db)
    }

    /// Changes whenever anyone commits to the store (the WAL file grows or is
    /// checkpointed): a stat, so watching for other processes' writes is free.
    public func changeStamp() -> String {
        let base = dataDir.appendingPathComponent("calltop.sqlite").path
        return [base, base + "-wal"].map { path -> String in
            var st = stat()
            guard stat(path, &st) == 0 else { return "-" }
            return "\(st.st_size):\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)"
        }.joined(separator: "/")
    }

    // MARK: Sync marks

    public func syncMark(_ name: String) throws -> Date? {
        try db.read { db in try SyncMarkRecord.fetchOne(db, key: name)?.value }
    }

    public func setSyncMark(_ name: String, _ date: Date) throws {
        try db.write { db in try SyncMarkRecord(name: name, value: date).upsert(db) }
    }

    // MARK: Calls

    /// Inserts or refreshes calls; returns how many were new.
    @discardableResult
    public func upsertCalls(_ calls: [TwilioCall], now: Date) throws -> Int {
        try db.write { db in
            var inserted = 0
            for c in calls {
                let exists = try CallRecord.exists(db, key: c.sid)
                try db.execute(sql: """
                    INSERT INTO calls(sid, account_sid, parent_call_sid, from_number, to_number, direction, status,
                                      start_time, end_time, date_created, duration_s, price, price_unit, synced_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(sid) DO UPDATE SET
                        account_sid = excluded.account_sid, parent_call_sid = excluded.parent_call_sid,
                        from_number = excluded.from_number, to_number = excluded.to_number,
                        direction = excluded.direction, status = excluded.status,
                        start_time = excluded.start_time, end_time = excluded.end_time,
                        date_created = excluded.date_created, duration_s = excluded.duration_s,
                        price = excluded.price, price_unit = excluded.price_unit, synced_at = excluded.synced_at
                    WHERE calls.status IS NOT excluded.status OR calls.end_time IS NOT excluded.end_time
                       OR calls.duration_s IS NOT excluded.duration_s OR calls.price IS NOT excluded.price
                    """, arguments: [
                        c.sid, c.accountSid, c.parentCallSid, c.from ?? "", c.to ?? "", c.direction ?? "", c.status ?? "",
                        c.startTime?.timeIntervalSince1970, c.endTime?.timeIntervalSince1970,
                        c.dateCreated?.timeIntervalSince1970, c.durationS, c.price, c.priceUnit, now.timeIntervalSince1970,
                    ])
                if !exists { inserted += 1 }
            }
            return inserted
        }
    }

    public func callCount() throws -> Int {
        try db.read { try CallRecord.fetchCount($0) }
    }

    // MARK: Recordings

    /// Inserts new recordings in their initial state; for known ones refreshes
    /// Twilio's metadata and keeps the download state, except that Twilio
    /// calling a recording absent, failed or deleted is final news.
    @discardableResult
    public func upsertRecordings(_ recordings: [TwilioRecording], now: Date) throws -> Int {
        try db.write { db in
            var inserted = 0
            for r in recordings {
                let verdict = RecordingStatusVerdict(status: r.status, errorCode: r.errorCode)
                let state = verdict.state
                if try RecordingRecord.exists(db, key: r.sid) {
                    try db.execute(sql: """
                        UPDATE recordings SET call_sid = COALESCE(?, call_sid), account_sid = COALESCE(?, account_sid),
                            status = ?, duration_s = ?, channels = ?, source = ?, error_code = ?, start_time = ?,
                            date_created = ?, uri = COALESCE(?, uri), track = COALESCE(?, track), metadata_at = ?
                        WHERE sid = ?
                        """, arguments: [r.callSid, r.accountSid, r.status ?? "", r.durationS, r.channels, r.source, r.errorCode,
                                         r.startTime?.timeIntervalSince1970, r.dateCreated?.timeIntervalSince1970, r.uri, r.track,
                                         now.timeIntervalSince1970, r.sid])
                    if verdict.isFinal {
                        try db.execute(sql: """
                            UPDATE recordings SET download_state = ?, last_error = ?, next_retry_at = NULL, updated_at = ?
                            WHERE sid = ? AND download_state NOT IN ('downloaded', 'downloading')
                            """, arguments: [state.rawValue, verdict.reason, now.timeIntervalSince1970, r.sid])
                    }
                } else {
                    try RecordingRecord(sid: r.sid, callSid: r.callSid, accountSid: r.accountSid, status: r.status ?? "",
                                        durationS: r.durationS, channels: r.channels, source: r.source, errorCode: r.errorCode,
                                        startTime: r.startTime, dateCreated: r.dateCreated, uri: r.uri, track: r.track,
                                        state: state, lastError: verdict.reason, now: now).insert(db)
                    inserted += 1
                }
                try Store.writeEncryption(r.encryptionDetails, status: r.status, errorCode: r.errorCode, recordingSid: r.sid, now: now, db)  // #15
            }
            return inserted
        }
    }

    public func recording(_ sid: String) throws -> StoredRecording? {
        try db.read { db in
            try RecordingRecord.fetchOne(db, key: sid).map(StoredRecording.init)
        }
    }

    /// A call's recordings, the primary (earliest) first.
    public func recordings(ofCall callSid: String) throws -> [StoredRecording] {
        try db.read { db in
            try Self.recordings(db, ofCall: callSid)
        }
    }

    public func recordingSids(inState states: [DownloadState]) throws -> [String] {
        try db.read { db in
            try RecordingRecord.select(Column("sid"), as: String.self).filter(states.contains(Column("download_state")))
                .order(SQL("COALESCE(date_created, 0) DESC")).fetchAll(db)
        }
    }

    /// Recordings the downloader should try now: pending, waiting and due, or
    /// claimed by someone whose lease has run out.
    public func dueRecordingSids(now: Date) throws -> [String] {
        try db.read { db in
            try String.fetchAll(db, sql: """
                SELECT sid FROM recordings
                WHERE \(Self.claimableSQL)
                ORDER BY COALESCE(date_created, 0) DESC
                """, arguments: [now.timeIntervalSince1970, now.timeIntervalSince1970])
        }
    }

    public func downloadedRecordings() throws -> [StoredRecording] {
        try db.read { db in
            try RecordingRecord.filter(Column("download_state") == DownloadState.downloaded).order(Column("sid")).fetchAll(db)
                .map(StoredRecording.init)
        }
    }

    /// A downloaded recording whose file no longer matches: `failed` with the
    /// reason, so `download --failed` (or naming it) fetches it again.
    public func markFileProblem(_ sid: String, reason: String, now: Date) throws {
        try db.write { db in
            try db.execute(sql: """
                UPDATE recordings SET download_state = 'failed', last_error = ?, updated_at = ?
                WHERE sid = ? AND download_state = 'downloaded'
                """, arguments: [reason, now.timeIntervalSince1970, sid])
        }
    }

    /// The earliest scheduled retry among `sids` (or all), if any.
    public func nextRetry(among sids: Set<String>? = nil) throws -> Date? {
        try db.read { db in
            let waiting = try RecordingRecord.filter([DownloadState.retrying, .notReady].contains(Column("download_state")))
                .filter(Column("next_retry_at") != nil).fetchAll(db)
            return waiting.filter { sids?.contains($0.sid) ?? true }.compactMap(\.nextRetryAt).min()
        }
    }

    /// A user's retry: failed or waiting recordings go back to pending at once,
    /// with a fresh retry budget. Returns the SIDs that moved.
    @discardableResult
    public func resetForRetry(_ sids: [String], now: Date) throws -> [String] {
        try db.write { db in
            var moved: [String] = []
            for sid in sids {
                try db.execute(sql: """
                    UPDATE recordings SET download_state = 'pending', transient_failures = 0, not_ready_tries = 0,
                        not_ready_since = NULL, next_retry_at = NULL, updated_at = ?
                    WHERE sid = ? AND download_state IN ('failed', 'retrying', 'not_ready', 'pending')
                    """, arguments: [now.timeIntervalSince1970, sid])
                if db.changesCount > 0 { moved.append(sid) }
            }
            return moved
        }
    }

    /// Stores one attempt and the decision it led to, in one transaction, and
    /// lets go of the claim. Returns false, writing nothing, when the claim was
    /// taken over meanwhile (the lease ran out): the newer holder's result stands.
    @discardableResult
    public func recordAttempt(_ attempt: DownloadAttempt, decision: DownloadDecision, memory: RetryMemory,
                              file: SavedFile?, expectedBytes: Int64?, now: Date) throws -> Bool {
        try db.write { db in
            try recordAttempt(db, attempt, decision: decision, memory: memory, file: file, expectedBytes: expectedBytes, now: now)
        }
    }

    /// The same from async code: the write waits on GRDB's queue, not on a cooperative thread
    /// (2 of them on 2 cores: a blocking write there stalls every other download).
    @discardableResult
    public func recordAttempt(_ attempt: DownloadAttempt, decision: DownloadDecision, memory: RetryMemory,
                              file: SavedFile?, expectedBytes: Int64?, now: Date) async throws -> Bool {
        try await db.write { [self] db in
            try recordAttempt(db, attempt, decision: decision, memory: memory, file: file, expectedBytes: expectedBytes, now: now)
        }
    }

    private func recordAttempt(_ db: Database, _ attempt: DownloadAttempt, decision: DownloadDecision, memory: RetryMemory,
                               file: SavedFile?, expectedBytes: Int64?, now: Date) throws -> Bool {
        let holder = try String.fetchOne(db, sql: "SELECT lease_owner FROM recordings WHERE sid = ?", arguments: [attempt.recordingSid])
        if let holder, holder != owner.description { return false }
        try DownloadAttemptRecord(attempt).insert(db)
        var nextRetry: Double?
        var lastError: String?
        switch decision {
        case .downloaded: break
        case let .retry(_, at, reason): nextRetry = at.timeIntervalSince1970; lastError = reason
        case .failed(let reason), .absent(let reason): lastError = reason
        }
        try db.execute(sql: """
            UPDATE recordings SET download_state = ?, attempts = attempts + 1, transient_failures = ?,
                not_ready_tries = ?, not_ready_since = ?, last_error = ?, next_retry_at = ?,
                expected_bytes = COALESCE(?, expected_bytes), updated_at = ?, lease_owner = NULL, lease_expires_at = NULL
            WHERE sid = ?
            """, arguments: [decision.state.rawValue, memory.transientFailures, memory.notReadyTries,
                             memory.notReadySince?.timeIntervalSince1970, lastError, nextRetry, expectedBytes,
                             now.timeIntervalSince1970, attempt.recordingSid])
        if let file {
            try db.execute(sql: "UPDATE recordings SET bytes = ?, path = ?, sha256 = ? WHERE sid = ?",
                           arguments: [file.bytes, file.relativePath, file.sha256, attempt.recordingSid])
        }
        if decision.state == .absent {
            try db.execute(sql: "UPDATE recordings SET status = 'absent' WHERE sid = ?", arguments: [attempt.recordingSid])
        }
        return true
    }

    /// Metadata fetched during a download refreshes what sync stored.
    public func refreshRecordingMetadata(_ r: TwilioRecording, now: Date = Date()) throws {
        try db.write { db in
            try db.execute(sql: """
                UPDATE recordings SET status = ?, duration_s = COALESCE(?, duration_s), channels = COALESCE(?, channels),
                    error_code = ?, uri = COALESCE(?, uri), call_sid = COALESCE(call_sid, ?), start_time = COALESCE(?, start_time),
                    metadata_at = ?
                WHERE sid = ?
                """, arguments: [r.status ?? "", r.durationS, r.channels, r.errorCode, r.uri, r.callSid,
                                 r.startTime?.timeIntervalSince1970, now.timeIntervalSince1970, r.sid])
            try Store.writeEncryption(r.encryptionDetails, status: nil, errorCode: nil, recordingSid: r.sid, now: now, db)  // #15
        }
    }

    public func attempts(ofRecording sid: String) throws -> [DownloadAttempt] {
        try db.read { db in
            try Self.attempts(db, ofRecording: sid)
        }
    }
}

/// A file the downloader saved under its final name.
public struct SavedFile: Sendable, Equatable {
    /// Relative to the data directory: `recordings/CA….mp3`.
    public var relativePath: String
    public var bytes: Int64
    public var sha256: String

    public init(relativePath: String, bytes: Int64, sha256: String) {
        self.relativePath = relativePath; self.bytes = bytes; self.sha256 = sha256
    }
}

/// A recording as the store holds it.
public struct StoredRecording: Sendable, Equatable {
    public var sid: String
    public var callSid: String?
    public var status: String
    public var durationS: Int?
    public var channels: Int?
    public var source: String?
    public var errorCode: Int?
    public var startTime: Date?
    public var dateCreated: Date?
    public var uri: String?
    public var downloadState: DownloadState
    public var bytes: Int64?
    public var expectedBytes: Int64?
    public var path: String?
    public var sha256: String?
    public var attempts: Int
    public var memory: RetryMemory
    public var lastError: String?
    public var nextRetryAt: Date?
    /// The file's name under the data dir, assigned at the first download and kept.
    public var fileName: String?
    public var leaseOwner: String?
    /// When Twilio last told us this recording's metadata (sync, a callback, a fetch).
    public var metadataAt: Date?

    init(_ r: RecordingRecord) {
        sid = r.sid; callSid = r.callSid; status = r.status; durationS = r.durationS
        channels = r.channels; source = r.source; errorCode = r.errorCode
        startTime = r.startTime; dateCreated = r.dateCreated; uri = r.uri
        downloadState = r.downloadState
        bytes = r.bytes; expectedBytes = r.expectedBytes; path = r.path; sha256 = r.sha256
        attempts = r.attempts
        let completed = r.startTime.map { $0.addingTimeInterval(TimeInterval(max(0, r.durationS ?? 0))) }
        memory = RetryMemory(transientFailures: r.transientFailures, notReadyTries: r.notReadyTries,
                             notReadySince: r.notReadySince, completedAt: completed)
        lastError = r.lastError; nextRetryAt = r.nextRetryAt
        fileName = r.fileName; leaseOwner = r.leaseOwner; metadataAt = r.metadataAt
    }
}

extension Store {
    /// A call's recordings, the primary (earliest) first.
    static func recordings(_ db: Database, ofCall callSid: String) throws -> [StoredRecording] {
        try RecordingRecord.filter(Column("call_sid") == callSid).order(SQL("COALESCE(date_created, 0)"), Column("sid"))
            .fetchAll(db).map(StoredRecording.init)
    }

    static func attempts(_ db: Database, ofRecording sid: String) throws -> [DownloadAttempt] {
        try DownloadAttemptRecord.filter(Column("recording_sid") == sid).order(Column("id")).fetchAll(db).map(\.attempt)
    }
}
