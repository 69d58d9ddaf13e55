import CallTopCore
import Foundation
import Testing

/// A holder renews only the jobs it is working on: a claim whose job ended
/// without recording its result (the store was down then) must expire, not be
/// renewed by the holder's other work for ever.
@Suite struct LeaseRenewalContractTests {
    @Test(arguments: StoreEngine.allCases)
    func onlyTheNamedJobsAreRenewed(engine: StoreEngine) async throws {
        let store = try engine.makeStore()
        try store.seed(1...2)
        #expect(try await store.claimDownload(recordingSid(1), now: t0) != nil)
        #expect(try await store.claimDownload(recordingSid(2), now: t0) != nil)
        try store.renewLeases([.download(recordingSid: recordingSid(1))], now: t0.addingTimeInterval(store.lease.duration - 1))
        let afterFirstLease = t0.addingTimeInterval(store.lease.duration + 1)
        #expect(try store.dueRecordingSids(now: afterFirstLease) == [recordingSid(2)], "the job not renewed expired; the renewed one did not")
    }

    @Test(arguments: StoreEngine.allCases)
    func aTranscriptionsLeaseIsRenewedByItsHolderOnly(engine: StoreEngine) throws {
        let store = try engine.makeStore()
        let other = try engine.open(beside: store, owner: .elsewhere)
        _ = try #require(try store.claimTranscriptionJob(callSid(1), now: t0))
        try other.renewLeases([.transcription(callSid: callSid(1))], now: t0.addingTimeInterval(store.lease.duration - 1))
        // The other owner's renewal changed nothing: the lease ran out on time and the job can be taken over.
        #expect(try other.claimTranscriptionJob(callSid(1), now: t0.addingTimeInterval(store.lease.duration + 1)) != nil)
    }
}
