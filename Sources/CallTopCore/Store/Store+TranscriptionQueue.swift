import Foundation
import GRDB

/// A claimed transcription: the fence its result must be written under.
public struct TranscriptionClaim: Sendable, Equatable {
    public var callSid: String
    public var fence: Int
}

/// Transcriptions as jobs in the store: downloaded recordings are queued,
/// claimed under a lease with a fencing counter, and finished only under the
/// fence they were claimed with.
extension Store {
    /// A call's primary recording (the earliest), as SQL over the alias `j.call_sid`.
    private static let primaryRecordingSQL = """
        (SELECT p.download_state FROM recordings p WHERE p.call_sid = j.call_sid ORDER BY COALESCE(p.date_created, 0), p.sid LIMIT 1)
        """

    /// Queues a pending transcription for every call whose primary recording is
    /// downloaded and which has neither a job nor an offline transcript yet.
    /// A call is queued once: its job row stays whatever becomes of it. Returns how many were queued.
    @discardableResult
    public func enqueueDownloadedForTranscription(now: Date) throws -> Int {
        try db.write { db in
            try db.execute(sql: """
                INSERT OR IGNORE INTO transcription_jobs(call_sid, state, error, updated_at)
                SELECT DISTINCT j.call_sid, 'pending', NULL, ? FROM recordings j
                WHERE j.call_sid IS NOT NULL AND \(Self.primaryRecordingSQL) = 'downloaded'
                  AND NOT EXISTS (SELECT 1 FROM transcription_jobs t WHERE t.call_sid = j.call_sid)
                  AND NOT EXISTS (SELECT 1 FROM transcripts o WHERE o.call_sid = j.call_sid AND o.source = 'offline' AND TRIM(o.text) != '')
                """, arguments: [now.timeIntervalSince1970])
            return db.changesCount
        }
    }

    /// Transcriptions a worker may claim now, oldest first: pending, or running
    /// under an expired lease, whose primary recording is downloaded (or will
    /// never be: the attempt then fails the job with the reason).
    public func claimableTranscriptions(now: Date, limit: Int) throws -> [String] {
        try db.read { db in
            try String.fetchAll(db, sql: """
                SELECT j.call_sid FROM transcription_jobs j
                WHERE (j.state = 'pending' OR (j.state = 'running' AND COALESCE(j.lease_expires_at, 0) < ?))
                  AND \(Self.primaryRecordingSQL) IN ('downloaded', 'failed', 'absent')
                ORDER BY j.updated_at, j.call_sid LIMIT ?
                """, arguments: [now.timeIntervalSince1970, max(0, limit)])
        }
    }

    /// Claims a call's transcription for this store's owner and bumps its fence.
    /// `onlyIfQueued`: take only a pending job (or an expired one), never redo a
    /// finished one — what a worker wants; a person asking again redoes it. Nil
    /// when another live owner holds it (or, with `onlyIfQueued`, it is not queued).
    public func claimTranscriptionJob(_ callSid: String, now: Date, onlyIfQueued: Bool = false) throws -> TranscriptionClaim? {
        try db.write { db in
            let t = now.timeIntervalSince1970
            let free = onlyIfQueued ? "transcription_jobs.state = 'pending'" : "transcription_jobs.state != 'running'"
            try db.execute(sql: """
                INSERT INTO transcription_jobs(call_sid, state, error, updated_at, lease_owner, lease_expires_at, fence)
                VALUES (?, 'running', NULL, ?, ?, ?, 1)
                ON CONFLICT(call_sid) DO UPDATE SET state = 'running', error = NULL, updated_at = excluded.updated_at,
                    lease_owner = excluded.lease_owner, lease_expires_at = excluded.lease_expires_at,
                    fence = transcription_jobs.fence + 1
                WHERE \(free) OR (transcription_jobs.state = 'running' AND COALESCE(transcription_jobs.lease_expires_at, 0) < ?)
                """, arguments: [callSid, t, owner.description, t + lease.duration, t])
            guard db.changesCount > 0,
                  let fence = try Int.fetchOne(db, sql: "SELECT fence FROM transcription_jobs WHERE call_sid = ?", arguments: [callSid])
            else { return nil }
            return TranscriptionClaim(callSid: callSid, fence: fence)
        }
    }

    /// Stores the transcript of a claimed job, only if the claim still holds:
    /// the job is running under this owner with the same fence. False, writing
    /// nothing, when the lease was lost (taken over or handed back meanwhile).
    public func saveOfflineTranscript(_ t: OfflineTranscript, claim: TranscriptionClaim, recordingSid: String?, now: Date) throws -> Bool {
        try db.write { db in
            guard try Self.holds(db, claim, owner: owner) else { return false }
            try Self.writeOfflineTranscript(db, t, callSid: claim.callSid, recordingSid: recordingSid, now: now)
            return true
        }
    }

    /// A claimed job failed: recorded only if the claim still holds (see above).
    public func failTranscription(_ claim: TranscriptionClaim, error: String, now: Date) throws -> Bool {
        try db.write { db in
            guard try Self.holds(db, claim, owner: owner) else { return false }
            try Self.setJob(db, callSid: claim.callSid, state: .failed, error: error, now: now)
            return true
        }
    }

    private static func holds(_ db: Database, _ claim: TranscriptionClaim, owner: LeaseOwner) throws -> Bool {
        try Bool.fetchOne(db, sql: """
            SELECT 1 FROM transcription_jobs WHERE call_sid = ? AND state = 'running' AND lease_owner = ? AND fence = ?
            """, arguments: [claim.callSid, owner.description, claim.fence]) ?? false
    }
}
