import CallTopCore
import Foundation

/// What `serve` does at start with the work an earlier run left behind
/// (stopped, or killed mid-way).
public enum ServeRecovery {
    /// Before listening: downloads and transcriptions whose process is gone go
    /// back to pending, deliveries it had claimed may be sent at once, and
    /// every call's offline/realtime disagreement is checked again
    /// (transcripts may have changed while serve was down).
    public static func reclaim(_ store: any WebhookStore, crossChecker: TranscriptSettler, now: Date) throws {
        try store.reclaimAbandonedWork(now: now)
        try store.releaseAbandonedDeliveries(now: now)
        crossChecker.crossCheckAll()
    }

    /// Once listening: each recording of a call still waiting to settle whose
    /// download never finished is queued again, as its `completed` callback
    /// queued it the first time. Returns how many were queued.
    @discardableResult
    public static func requeueUnsettled(_ store: any WebhookStore, into work: any RecordingWork) throws -> Int {
        let jobs = try store.unsettledRecordings()
        for job in jobs { work.recordingCompleted(callSid: job.callSid, recordingSid: job.recordingSid) }
        return jobs.count
    }
}
