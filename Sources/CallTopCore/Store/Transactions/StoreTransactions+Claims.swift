import Foundation

/// Claims on downloads and transcriptions. Whoever claims a job records
/// itself and a lease it renews; only an expired lease, or one whose owner is
/// a dead process on this host, may be taken over.
extension StoreTransactions {
    /// Claims a recording for download: marks it downloading under `owner` and
    /// assigns its file name if it has none. Nil when it is not due or someone else holds it.
    static func claimDownload(_ db: some SQLExecutor, _ sid: String, owner: LeaseOwner, lease: LeaseTerms, now: Date) throws -> StoredRecording? {
        let t = now.timeIntervalSince1970
        guard try db.execute(StoreSQL.claimDownload, [owner.description, t + lease.duration, t, sid, t, t]) > 0,
              var claimed = try recording(db, sid)
        else { return nil }
        if claimed.fileName == nil {
            claimed.fileName = try assignFileName(db, recordingSid: sid, callSid: claimed.callSid)
        }
        return claimed
    }

    /// Claims up to `limit` due recordings in one statement (a worker's batch), each
    /// with its file name assigned. Two workers claiming at once get disjoint batches.
    static func claimDueDownloads(_ db: some SQLExecutor, limit: Int, skipLocked: String, owner: LeaseOwner, lease: LeaseTerms,
                                  now: Date) throws -> [StoredRecording] {
        guard limit > 0 else { return [] }
        let t = now.timeIntervalSince1970
        let sids = try db.query(StoreSQL.claimDueDownloads(skipLocked: skipLocked), [owner.description, t + lease.duration, t, t, t, limit])
            .compactMap { $0[0].string }
        // Names are chosen in call order, so two batches lock their calls' rows in the same order.
        var claimed = try sids.compactMap { try recording(db, $0) }.sorted { ($0.callSid ?? "", $0.sid) < ($1.callSid ?? "", $1.sid) }
        for i in claimed.indices where claimed[i].fileName == nil {
            claimed[i].fileName = try assignFileName(db, recordingSid: claimed[i].sid, callSid: claimed[i].callSid)
        }
        return claimed.sorted { ($0.dateCreated ?? .distantPast) > ($1.dateCreated ?? .distantPast) }
    }

    /// A call's first downloaded recording is `{CallSid}.mp3` (the layout the
    /// voice-agent server used); every other one `{CallSid}-{RecordingSid}.mp3`.
    /// The name is stored with the recording, and the unique index on it means
    /// no later recording, whatever its date, can take a name already given.
    static func assignFileName(_ db: some SQLExecutor, recordingSid: String, callSid: String?) throws -> String {
        // Two recordings of one call claimed at once (two workers) must not both take
        // `{CallSid}.mp3`: the call's row is locked first, so they choose one after the other.
        if let callSid { try db.execute("UPDATE calls SET sid = sid WHERE sid = ?", [callSid]) }
        let preferred = RecordingDownloader.relativePath(recordingSid: recordingSid, callSid: callSid, isPrimary: true)
        let taken = try !db.scalar("SELECT 1 FROM recordings WHERE file_name = ?", [preferred]).isNull
        let name = taken ? RecordingDownloader.relativePath(recordingSid: recordingSid, callSid: callSid, isPrimary: false) : preferred
        try db.execute("UPDATE recordings SET file_name = ? WHERE sid = ?", [name, recordingSid])
        return name
    }

    /// Extends the leases of the jobs `owner` is working on now: only those, so a
    /// claim whose job ended without recording its result (the store was down)
    /// expires and is taken back instead of being renewed for ever.
    static func renewLeases(_ db: some SQLExecutor, owner: LeaseOwner, lease: LeaseTerms, jobs: [LeasedJob], now: Date) throws {
        let until = now.timeIntervalSince1970 + lease.duration
        for job in jobs {
            switch job {
            case .download(let sid): try db.execute(StoreSQL.renewDownloadLease, [until, owner.description, sid])
            case .transcription(let callSid): try db.execute(StoreSQL.renewTranscriptionLease, [until, owner.description, callSid])
            }
        }
    }

    /// Puts back work whose owner is gone: expired leases, claims from before
    /// leases existed, and claims of processes on this host that have exited.
    /// Live processes' work is left alone. Returns how many jobs moved.
    /// `trustLocalProcesses`: a claim of an exited process on this host is abandoned at once. Not in
    /// team mode, where another machine may carry the same host name (a cloned VM, a container).
    static func reclaimAbandonedWork(_ db: some SQLExecutor, now: Date, trustLocalProcesses: Bool) throws -> Int {
        let t = now.timeIntervalSince1970
        var moved = 0
        for claim in StoreSQL.claimTables {
            for held in try db.query(StoreSQL.heldClaims(claim), [claim.running]) {
                guard let id = held[0].string else { continue }
                if isAbandoned(owner: held[1].string, expiresAt: held[2].double, now: t, trustLocalProcesses: trustLocalProcesses) {
                    moved += try db.execute(StoreSQL.reclaim(claim), [t, id, claim.running, held[1], held[2]])
                }
            }
        }
        return moved
    }

    package static func isAbandoned(owner: String?, expiresAt: Double?, now: Double, trustLocalProcesses: Bool) -> Bool {
        guard let holder = owner.flatMap(LeaseOwner.init) else { return true }
        return (expiresAt ?? 0) < now || (trustLocalProcesses && holder.isDeadLocalProcess())
    }

    /// Puts every download and transcription `owner` holds back to pending,
    /// without a lease, so any other worker can claim it at once. Returns how many moved.
    static func releaseClaims(_ db: some SQLExecutor, owner: LeaseOwner, now: Date) throws -> Int {
        try StoreSQL.claimTables.reduce(0) { moved, claim in
            moved + (try db.execute(StoreSQL.handBack(claim), [now, owner.description, claim.running]))
        }
    }
}
