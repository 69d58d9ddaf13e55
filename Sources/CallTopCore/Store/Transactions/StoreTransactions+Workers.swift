import Foundation

/// Workers, the named leases only one process may hold at a time (the sync
/// lease), and the sync's bookkeeping.
extension StoreTransactions {
    /// Records a starting worker. A name is free when no row has it, its last
    /// process stopped cleanly, its heartbeat is older than a lease, or it ran
    /// on this host and is gone.
    static func registerWorker(_ db: some SQLExecutor, _ worker: WorkerRecord, lease: LeaseTerms, trustLocalProcesses: Bool, now: Date) throws {
        func existing() throws -> WorkerRecord? { try db.record(WorkerRecord.self, "SELECT * FROM workers WHERE name = ?", [worker.name]) }
        let seen = try existing()
        let gone = seen.flatMap { (trustLocalProcesses && (LeaseOwner($0.owner)?.isDeadLocalProcess() ?? true)) ? $0.owner : nil } ?? ""
        let taken = try db.execute(StoreSQL.registerWorker, [worker.name, worker.owner, worker.host, worker.pid, worker.version, worker.startedAt,
                                                             now, worker.downloadSlots, worker.transcriptionSlots,
                                                             now.addingTimeInterval(-lease.duration), gone])
        if taken == 0, let holder = try existing() {
            throw WorkerRegistrationError.nameTaken(name: holder.name, host: holder.host, pid: holder.pid)
        }
    }

    static func workerHeartbeat(_ db: some SQLExecutor, name: String, owner: LeaseOwner, counts: WorkerCounts, now: Date) throws {
        try db.execute(StoreSQL.workerHeartbeat, [now, counts.jobsRunning, counts.jobsDone, counts.failures, name, owner.description])
    }

    static func markWorkerStopped(_ db: some SQLExecutor, name: String, owner: LeaseOwner, counts: WorkerCounts, now: Date) throws {
        try db.execute(StoreSQL.markWorkerStopped, [now, now, counts.jobsDone, counts.failures, name, owner.description])
    }

    static func workers(_ db: some SQLExecutor) throws -> [WorkerRecord] {
        try db.records(WorkerRecord.self, "SELECT * FROM workers ORDER BY name")
    }

    /// True when `owner` holds the named lease now; false while another owner's lease runs.
    static func holdLease(_ db: some SQLExecutor, _ name: String, owner: LeaseOwner, duration: TimeInterval, now: Date) throws -> Bool {
        let t = now.timeIntervalSince1970
        return try db.execute(StoreSQL.holdLease, [name, owner.description, t, t + duration, t]) > 0
    }

    static func leaseHolder(_ db: some SQLExecutor, _ name: String) throws -> (owner: String, expiresAt: Date)? {
        try db.record(NamedLeaseRecord.self, "SELECT * FROM leases WHERE name = ?", [name]).map { ($0.owner, $0.expiresAt) }
    }

    // MARK: Sync bookkeeping

    static func syncCursor(_ db: some SQLExecutor, _ name: String) throws -> SyncCursor? {
        try db.record(SyncCursorRecord.self, "SELECT * FROM sync_cursor WHERE name = ?", [name])
            .map { SyncCursor(phase: $0.phase, pageURI: $0.pageUri, windowStart: $0.windowStart) }
    }

    static func setSyncCursor(_ db: some SQLExecutor, _ name: String, _ cursor: SyncCursor?, now: Date) throws {
        guard let cursor else {
            try db.execute("DELETE FROM sync_cursor WHERE name = ?", [name])
            return
        }
        try db.execute(StoreSQL.setSyncCursor, [name, cursor.phase, cursor.pageURI, cursor.windowStart, now, now])
    }

    static func recordSyncRejects(_ db: some SQLExecutor, _ rejects: [RejectedItem], pageURI: String, now: Date) throws {
        for r in rejects {
            try db.execute("INSERT INTO sync_rejects(page_uri, item_index, reason, item, seen_at) VALUES (?, ?, ?, ?, ?)",
                           [pageURI, r.index, r.reason, r.sid ?? "", now])
        }
    }

    /// The reasons items were rejected, newest first.
    static func syncRejects(_ db: some SQLExecutor, limit: Int) throws -> [(sid: String, reason: String)] {
        try db.records(SyncRejectRecord.self, "SELECT * FROM sync_rejects ORDER BY id DESC LIMIT ?", [max(0, limit)]).map { ($0.item, $0.reason) }
    }
}
