import Foundation
import GRDB

/// Claims on downloads and transcriptions. Several calltop processes share a
/// store (the dashboard, `download`, `serve`): whoever claims a job records
/// itself and a lease it renews; only an expired lease, or one whose owner is
/// a dead process on this host, may be taken over.
extension Store {
    /// A recording that may be claimed now. Arguments: now, now.
    static let claimableSQL = """
        (download_state = 'pending'
         OR (download_state IN ('retrying', 'not_ready') AND COALESCE(next_retry_at, 0) <= ?)
         OR (download_state = 'downloading' AND COALESCE(lease_expires_at, 0) < ?))
        """

    /// Claims a recording for download: marks it downloading under this
    /// store's owner and assigns its file name if it has none. Returns nil when
    /// it is not due or someone else holds it.
    public func claimDownload(_ sid: String, now: Date) throws -> StoredRecording? {
        try db.write { db in try claimDownload(db, sid, now: now) }
    }

    /// The same from async code, without blocking a cooperative thread.
    public func claimDownload(_ sid: String, now: Date) async throws -> StoredRecording? {
        try await db.write { [self] db in try claimDownload(db, sid, now: now) }
    }

    private func claimDownload(_ db: Database, _ sid: String, now: Date) throws -> StoredRecording? {
        let t = now.timeIntervalSince1970
        try db.execute(sql: """
            UPDATE recordings SET download_state = 'downloading', lease_owner = ?, lease_expires_at = ?, updated_at = ?
            WHERE sid = ? AND \(Self.claimableSQL)
            """, arguments: [owner.description, t + lease.duration, t, sid, t, t])
        guard db.changesCount > 0,
              var claimed = try RecordingRecord.fetchOne(db, key: sid).map(StoredRecording.init)
        else { return nil }
        if claimed.fileName == nil {
            claimed.fileName = try Self.assignFileName(db, recordingSid: sid, callSid: claimed.callSid)
        }
        return claimed
    }

    /// A call's first downloaded recording is `{CallSid}.mp3` (the layout the
    /// voice-agent server used); every other one `{CallSid}-{RecordingSid}.mp3`.
    /// The name is stored with the recording, and the unique index on it means
    /// no later recording, whatever its date, can take a name already given.
    static func assignFileName(_ db: Database, recordingSid: String, callSid: String?) throws -> String {
        let preferred = RecordingDownloader.relativePath(recordingSid: recordingSid, callSid: callSid, isPrimary: true)
        let taken = try RecordingRecord.filter(Column("file_name") == preferred).isEmpty(db) == false
        let name = taken ? RecordingDownloader.relativePath(recordingSid: recordingSid, callSid: callSid, isPrimary: false) : preferred
        try db.execute(sql: "UPDATE recordings SET file_name = ? WHERE sid = ?", arguments: [name, recordingSid])
        return name
    }

    /// Extends every lease this store's owner holds. The owner calls it every
    /// `lease.renewEvery` while it works.
    public func renewLeases(now: Date) throws {
        try db.write { db in
            let until = now.timeIntervalSince1970 + lease.duration
            try db.execute(sql: "UPDATE recordings SET lease_expires_at = ? WHERE lease_owner = ? AND download_state = 'downloading'",
                           arguments: [until, owner.description])
            try db.execute(sql: "UPDATE transcription_jobs SET lease_expires_at = ? WHERE lease_owner = ? AND state = 'running'",
                           arguments: [until, owner.description])
        }
    }

    /// Puts back work whose owner is gone: expired leases, claims from before
    /// leases existed, and claims of processes on this host that have exited.
    /// Live processes' work is left alone. Returns how many jobs moved.
    @discardableResult
    public func reclaimAbandonedWork(now: Date) throws -> Int {
        try db.write { db in
            let t = now.timeIntervalSince1970
            func abandoned(_ owner: String?, _ expires: Date?) -> Bool {
                guard let holder = owner.flatMap(LeaseOwner.init) else { return true }
                return (expires?.timeIntervalSince1970 ?? 0) < t || holder.isDeadLocalProcess()
            }
            var moved = 0
            for claim in Self.claimTables {
                let held = try HeldClaim.fetchAll(db, sql: """
                    SELECT \(claim.key) AS id, lease_owner, lease_expires_at FROM \(claim.table) WHERE \(claim.stateColumn) = ?
                    """, arguments: [claim.running])
                for c in held where abandoned(c.leaseOwner, c.leaseExpiresAt) {
                    try db.execute(sql: """
                        UPDATE \(claim.table) SET \(claim.stateColumn) = 'pending', lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
                        WHERE \(claim.key) = ? AND \(claim.stateColumn) = ?
                        """, arguments: [t, c.id, claim.running])
                    moved += db.changesCount
                }
            }
            return moved
        }
    }

    /// The tables whose rows are claimed under a lease, and how each names its running state.
    static let claimTables: [(table: String, key: String, stateColumn: String, running: String)] = [
        ("recordings", "sid", "download_state", DownloadState.downloading.rawValue),
        ("transcription_jobs", "call_sid", "state", TranscriptionJobState.running.rawValue),
    ]

    /// Claims a call's offline transcription. Returns false when another live
    /// process is running it.
    public func claimTranscription(_ callSid: String, now: Date) throws -> Bool {
        try claimTranscriptionJob(callSid, now: now) != nil
    }
}

/// A claimed row's key and lease, as `reclaimAbandonedWork` reads them from either table.
private struct HeldClaim: Decodable, FetchableRecord {
    static var databaseColumnDecodingStrategy: DatabaseColumnDecodingStrategy { .convertFromSnakeCase }
    var id: String
    var leaseOwner: String?
    var leaseExpiresAt: Date?
}
