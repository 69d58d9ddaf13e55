@testable import CallTopCore
import CallTopWebhooks
import Foundation
import Testing

/// The outbox: versions queued by compare-and-set and delivered in order.
@Suite struct OutboxContractTests {
    func settling(_ engine: StoreEngine) throws -> any WebhookStore {
        let store = try engine.makeStore()
        try store.beginSettlement(callSid: callSid(1), recordingSid: recordingSid(1), completedAt: t0, firstCheckAt: t0.addingTimeInterval(5))
        return store
    }

    func enqueue(_ store: any WebhookStore, after previous: Int, version: Int, source: TranscriptSource = .offline, now: Date = t0) throws -> Bool {
        try store.enqueueDelivery(callSid: callSid(1), previousVersion: previous, version: version, source: source,
                                  payload: "{\"version\":\(version)}", checksDone: 2, now: now)
    }

    @Test(arguments: StoreEngine.allCases)
    func aVersionIsQueuedOnlyOverTheOneDeliveredBefore(engine: StoreEngine) throws {
        let store = try settling(engine)
        #expect(try enqueue(store, after: 0, version: 1, source: .realtime))
        #expect(try !enqueue(store, after: 0, version: 1, source: .realtime), "the same step repeated (a second replica, a retried tick)")
        #expect(try !enqueue(store, after: 0, version: 2), "built on a stale view")
        #expect(try enqueue(store, after: 1, version: 2))
        let settlement = try #require(try store.settlement(callSid(1)))
        #expect(settlement.deliveredVersion == 2 && settlement.deliveredSource == .offline && settlement.checksDone == 2 && settlement.nextCheckAt == nil)
        let queued = try store.deliveries(ofCall: callSid(1))
        #expect(queued.map(\.version) == [1, 2] && queued.map(\.source) == [.realtime, .offline])
        #expect(queued.allSatisfy { $0.state == .pending && $0.attempts == 0 && $0.nextAttemptAt == t0 && $0.lastError == nil })
        #expect(queued[1].payload == "{\"version\":2}")
    }

    @Test(arguments: StoreEngine.allCases)
    func aLaterVersionWaitsUntilTheEarlierOneIsDelivered(engine: StoreEngine) throws {
        let store = try settling(engine)
        #expect(try enqueue(store, after: 0, version: 1, source: .realtime))
        #expect(try enqueue(store, after: 1, version: 2))
        let v1 = try #require(try store.dueDeliveries(now: t0).first)
        #expect(try store.dueDeliveries(now: t0).map(\.version) == [1])

        try store.markDeliveryFailed(v1.id, error: "HTTP 503", nextAttemptAt: t0.addingTimeInterval(10))
        #expect(try store.dueDeliveries(now: t0.addingTimeInterval(1)).isEmpty, "v1 waits for its retry and v2 waits for v1")
        let failed = try #require(try store.deliveries(ofCall: callSid(1)).first)
        #expect(failed.attempts == 1 && failed.lastError == "HTTP 503" && failed.nextAttemptAt == t0.addingTimeInterval(10))
        #expect(try store.nextDeliveryAttempt() == t0, "v2's time has come; it waits on v1, not on the clock")

        #expect(try store.dueDeliveries(now: t0.addingTimeInterval(10)).map(\.version) == [1])
        try store.markDelivered(v1.id, now: t0.addingTimeInterval(10))
        let v2 = try #require(try store.dueDeliveries(now: t0.addingTimeInterval(10)).first)
        #expect(v2.version == 2)
        try store.markDelivered(v2.id, now: t0.addingTimeInterval(11))
        #expect(try store.dueDeliveries(now: t0.addingTimeInterval(3600)).isEmpty)
        #expect(try store.nextDeliveryAttempt() == nil)
        #expect(try store.deliveryStatus(callSid(1)) == .delivered(version: 2))

        // A late failure report for a delivered version changes nothing.
        try store.markDeliveryFailed(v2.id, error: "late", nextAttemptAt: t0.addingTimeInterval(20))
        let after = try store.deliveries(ofCall: callSid(1))
        #expect(after.map(\.state) == [.delivered, .delivered] && after.map(\.attempts) == [2, 1] && after.allSatisfy { $0.lastError == nil })
    }
}
