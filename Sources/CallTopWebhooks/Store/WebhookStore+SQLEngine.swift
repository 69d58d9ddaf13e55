import CallTopCore
import Foundation

/// serve's operations, written once for both engines: each runs one of
/// `WebhookTransactions` inside the engine's transaction.
extension WebhookStore where Self: SQLEngine {
    @discardableResult
    public func applyRecordingCallback(_ f: RecordingCallbackFacts, now: Date) throws -> DownloadState {
        try writing { db in try WebhookTransactions.applyRecordingCallback(db, f, now: now) }
    }

    /// Stores one final segment; returns false when it was already there (a retried callback).
    @discardableResult
    public func saveRealtimeSegment(_ s: RealtimeSegment, callSid: String, now: Date) throws -> Bool {
        try writing { db in try WebhookTransactions.saveRealtimeSegment(db, s, callSid: callSid, now: now) }
    }

    /// A call's final segments, in sequence order.
    public func realtimeSegments(_ callSid: String) throws -> [RealtimeSegment] {
        try reading { db in try WebhookTransactions.realtimeSegments(db, callSid) }
    }

    /// Starts a call's wait window; a later recording of the same call does not restart it.
    public func beginSettlement(callSid: String, recordingSid: String?, completedAt: Date, firstCheckAt: Date) throws {
        try writing { db in
            try WebhookTransactions.beginSettlement(db, callSid: callSid, recordingSid: recordingSid, completedAt: completedAt, firstCheckAt: firstCheckAt)
        }
    }

    public func settlement(_ callSid: String) throws -> WebhookSettlement? {
        try reading { db in try WebhookTransactions.settlement(db, callSid) }
    }

    public func dueSettlements(now: Date) throws -> [WebhookSettlement] {
        try reading { db in try WebhookTransactions.dueSettlements(db, now: now) }
    }

    /// The earliest scheduled check, for the loop's sleep.
    public func nextSettlementCheck() throws -> Date? {
        try reading { db in try WebhookTransactions.nextSettlementCheck(db) }
    }

    /// Records a check that did not settle the call (or stops checking: nil).
    public func scheduleSettlementCheck(callSid: String, checksDone: Int, nextCheckAt: Date?) throws {
        try writing(quiet: true) { db in
            try WebhookTransactions.scheduleSettlementCheck(db, callSid: callSid, checksDone: checksDone, nextCheckAt: nextCheckAt)
        }
    }

    @discardableResult
    public func enqueueDelivery(callSid: String, previousVersion: Int, version: Int, source: TranscriptSource, payload: String,
                                checksDone: Int, now: Date) throws -> Bool {
        try writing { db in
            try WebhookTransactions.enqueueDelivery(db, callSid: callSid, previousVersion: previousVersion, version: version, source: source,
                                                    payload: payload, checksDone: checksDone, now: now)
        }
    }

    public func unsettledRecordings() throws -> [(callSid: String, recordingSid: String)] {
        try reading { db in try WebhookTransactions.unsettledRecordings(db) }
    }

    public func dueDeliveries(now: Date, limit: Int) throws -> [OutboxDelivery] {
        try reading { db in try WebhookTransactions.dueDeliveries(db, now: now, limit: limit) }
    }

    public func claimDueDeliveries(now: Date, limit: Int) throws -> [OutboxDelivery] {
        try writing(quiet: true) { db in
            try WebhookTransactions.claimDueDeliveries(db, now: now, limit: limit, skipLocked: skipLocked, owner: owner, lease: lease)
        }
    }

    public func holdDelivery(_ id: Int64, now: Date) throws -> Bool {
        try writing(quiet: true) { db in try WebhookTransactions.holdDelivery(db, id, owner: owner, lease: lease, now: now) }
    }

    @discardableResult
    public func releaseAbandonedDeliveries(now: Date) throws -> Int {
        try writing { db in try WebhookTransactions.releaseAbandonedDeliveries(db, now: now, trustLocalProcesses: !isShared) }
    }

    public func nextDeliveryAttempt() throws -> Date? {
        try reading { db in try WebhookTransactions.nextDeliveryAttempt(db) }
    }

    public func markDelivered(_ id: Int64, now: Date) throws {
        try writing { db in try WebhookTransactions.markDelivered(db, id, now: now) }
    }

    public func markDeliveryFailed(_ id: Int64, error: String, nextAttemptAt: Date) throws {
        try writing { db in try WebhookTransactions.markDeliveryFailed(db, id, error: error, nextAttemptAt: nextAttemptAt) }
    }

    /// Every delivery of a call, oldest version first.
    public func deliveries(ofCall callSid: String) throws -> [OutboxDelivery] {
        try reading { db in try WebhookTransactions.deliveries(db, ofCall: callSid) }
    }

    public func saveCrossCheck(_ c: TranscriptCrossCheck) throws {
        try writing { db in try WebhookTransactions.saveCrossCheck(db, c) }
    }

    public func crossCheck(_ callSid: String) throws -> TranscriptCrossCheck? {
        try reading { db in try WebhookTransactions.crossCheck(db, callSid) }
    }

    /// Calls with both transcripts whose cross-check is missing or older than either transcript.
    public func callsNeedingCrossCheck() throws -> [String] {
        try reading { db in try WebhookTransactions.callsNeedingCrossCheck(db) }
    }
}
