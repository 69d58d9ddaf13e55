import CallTopCore
import CallTopTestSupport
import CallTopWebhooks
import Foundation
import Testing

/// What one process holds, another may not take or undo: a delivery being
/// sent, a transcription being run when someone asks for it again.
@Suite struct HandOverContractTests {
    @Test(arguments: StoreEngine.allCases)
    func aClaimedDeliveryIsSentOnlyByItsHolderUntilItsLeaseRunsOut(engine: StoreEngine) throws {
        let first = try OutboxContractTests().settling(engine)
        #expect(try OutboxContractTests().enqueue(first, after: 0, version: 1))
        let second = try engine.open(beside: first, owner: .elsewhere)
        let claimed = try first.claimDueDeliveries(now: t0, limit: 8)
        #expect(claimed.map(\.version) == [1])
        #expect(try second.claimDueDeliveries(now: t0.addingTimeInterval(1), limit: 8).isEmpty, "held by the first replica")
        let id = claimed[0].id
        #expect(try !second.holdDelivery(id, now: t0.addingTimeInterval(1)), "the second replica may not send it")
        #expect(try first.holdDelivery(id, now: t0.addingTimeInterval(1)), "its holder may, and its lease runs on")
        let expired = t0.addingTimeInterval(1 + first.lease.duration + 1)
        #expect(try second.claimDueDeliveries(now: expired, limit: 8).map(\.id) == [id], "a holder gone quiet loses it")
        #expect(try !first.holdDelivery(id, now: expired), "and cannot send it any more")
    }

    /// serve killed between claiming a batch and marking each result (KillRestartTests): its restart
    /// sends the rest at once on a store of its own; in team mode only the lease frees them, since
    /// another machine may carry this host's name.
    @Test(arguments: StoreEngine.allCases)
    func deliveriesClaimedByAnExitedLocalProcessAreFreedOnlyOnALocalStore(engine: StoreEngine) throws {
        let restarted = try OutboxContractTests().settling(engine)
        #expect(try OutboxContractTests().enqueue(restarted, after: 0, version: 1))
        let killed = try engine.open(beside: restarted, owner: try .exitedLocalProcess())
        let id = try #require(try killed.claimDueDeliveries(now: t0, limit: 8).first).id
        let soon = t0.addingTimeInterval(1)
        #expect(try restarted.claimDueDeliveries(now: soon, limit: 8).isEmpty, "leased to the killed process")
        #expect(try restarted.releaseAbandonedDeliveries(now: soon) == (engine == .sqlite ? 1 : 0))
        #expect(try restarted.claimDueDeliveries(now: soon, limit: 8).map(\.id) == (engine == .sqlite ? [id] : []))
        let live = try engine.open(beside: restarted, owner: .elsewhere)
        #expect(try live.releaseAbandonedDeliveries(now: soon) == 0, "a live holder's claim stays")
    }

    @Test(arguments: StoreEngine.allCases)
    func askingAgainQueuesATranscriptionButNeverResetsARunningOne(engine: StoreEngine) throws {
        let store = try engine.makeStore()
        let worker = try engine.open(beside: store, owner: .elsewhere)
        let claim = try #require(try worker.claimTranscriptionJob(callSid(1), now: t0, rule: .always))
        #expect(try !store.queueTranscription(callSid(1), now: t0.addingTimeInterval(1)), "running: left alone")
        #expect(try store.offlineState(callSid(1)) == .running)
        #expect(try worker.saveOfflineTranscript(offline("words"), claim: claim, recordingSid: nil, now: t0.addingTimeInterval(2)))
        #expect(try store.queueTranscription(callSid(1), now: t0.addingTimeInterval(3)), "finished: queued again for a redo")
        #expect(try worker.claimTranscriptionJob(callSid(1), now: t0.addingTimeInterval(4), rule: .queuedOnly) != nil)
    }
}
