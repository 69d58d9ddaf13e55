import CallTopCore
import Foundation

/// The tables `serve` adds to the store: recording callbacks, realtime
/// segments, settlements, the outbox and cross-checks. Both engines, `Store`
/// (SQLite) and `PostgresStore`, implement it (`WebhookStore+SQLEngine`).
/// Deliveries are queued by compare-and-set on the settlement's delivered
/// version, so no version is ever queued twice.
public protocol WebhookStore: CallStore {
    @discardableResult func applyRecordingCallback(_ f: RecordingCallbackFacts, now: Date) throws -> DownloadState
    @discardableResult func saveRealtimeSegment(_ s: RealtimeSegment, callSid: String, now: Date) throws -> Bool
    func realtimeSegments(_ callSid: String) throws -> [RealtimeSegment]

    func beginSettlement(callSid: String, recordingSid: String?, completedAt: Date, firstCheckAt: Date) throws
    func settlement(_ callSid: String) throws -> WebhookSettlement?
    func dueSettlements(now: Date) throws -> [WebhookSettlement]
    func nextSettlementCheck() throws -> Date?
    func scheduleSettlementCheck(callSid: String, checksDone: Int, nextCheckAt: Date?) throws
    @discardableResult
    func enqueueDelivery(callSid: String, previousVersion: Int, version: Int, source: TranscriptSource, payload: String,
                         checksDone: Int, now: Date) throws -> Bool
    func unsettledRecordings() throws -> [(callSid: String, recordingSid: String)]

    func dueDeliveries(now: Date, limit: Int) throws -> [OutboxDelivery]
    /// The due deliveries this process may send now, each leased to it while it sends.
    func claimDueDeliveries(now: Date, limit: Int) throws -> [OutboxDelivery]
    /// Renews a claimed delivery's lease just before it is sent; false when it is no longer this process's.
    func holdDelivery(_ id: Int64, now: Date) throws -> Bool
    /// Frees deliveries claimed by a process that is gone (see `reclaimAbandonedWork`); returns how many.
    @discardableResult func releaseAbandonedDeliveries(now: Date) throws -> Int
    func nextDeliveryAttempt() throws -> Date?
    func markDelivered(_ id: Int64, now: Date) throws
    func markDeliveryFailed(_ id: Int64, error: String, nextAttemptAt: Date) throws
    func deliveries(ofCall callSid: String) throws -> [OutboxDelivery]

    func saveCrossCheck(_ c: TranscriptCrossCheck) throws
    func crossCheck(_ callSid: String) throws -> TranscriptCrossCheck?
    func callsNeedingCrossCheck() throws -> [String]
}

extension WebhookStore {
    public func dueDeliveries(now: Date) throws -> [OutboxDelivery] { try dueDeliveries(now: now, limit: 32) }

    /// The state of a call's newest delivery, or nil when nothing was queued.
    public func deliveryStatus(_ callSid: String) throws -> WebhookDeliveryStatus? {
        try deliveries(ofCall: callSid).last.map(WebhookDeliveryStatus.init)
    }
}

extension Store: WebhookStore {}
extension PostgresStore: WebhookStore {}

extension Workspace {
    /// serve's view of the workspace's store (either engine).
    public var webhookStore: any WebhookStore {
        guard let store = store as? any WebhookStore else {
            preconditionFailure("\(type(of: store)) does not implement WebhookStore: every engine must")
        }
        return store
    }
}
