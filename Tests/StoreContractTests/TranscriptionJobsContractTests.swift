@testable import CallTopCore
import CallTopWebhooks
import Foundation
import Testing

/// Transcriptions as fenced jobs, and the transcript that counts.
@Suite struct TranscriptionJobsContractTests {
    @Test(arguments: StoreEngine.allCases)
    func downloadedCallsAreQueuedOnce(engine: StoreEngine) async throws {
        let store = try engine.makeStore()
        try store.seed(1...3)
        try await store.markDownloaded(1)
        try await store.markDownloaded(2)
        #expect(try store.enqueueDownloadedForTranscription(now: t0) == 2)
        #expect(try store.enqueueDownloadedForTranscription(now: t0.addingTimeInterval(1)) == 0)
        #expect(Set(try store.claimableTranscriptions(now: t0, limit: 10)) == [callSid(1), callSid(2)])
        #expect(try store.claimableTranscriptions(now: t0, limit: 1).count == 1)

        let claim = try #require(try store.claimTranscriptionJob(callSid(1), now: t0, onlyIfQueued: true))
        #expect(claim.callSid == callSid(1))
        #expect(try store.offlineState(callSid(1)) == .running)
        #expect(try store.saveOfflineTranscript(offline("hello"), claim: claim, recordingSid: recordingSid(1), now: t0))
        // Done stays done: not queued again, not claimable by a worker.
        #expect(try store.enqueueDownloadedForTranscription(now: t0.addingTimeInterval(2)) == 0)
        #expect(try store.claimableTranscriptions(now: t0, limit: 10) == [callSid(2)])
        #expect(try store.claimTranscriptionJob(callSid(1), now: t0, onlyIfQueued: true) == nil)
    }

    @Test(arguments: StoreEngine.allCases)
    func aWorkersOwnDownloadsAreQueuedWithoutASweep(engine: StoreEngine) async throws {
        let store = try engine.makeStore()
        try store.seed(1...4)
        for n in 1...3 { try await store.markDownloaded(n) }
        // Only the named calls are looked at: call 3 waits for a sweep, call 4 has nothing downloaded.
        #expect(try store.enqueueDownloadedForTranscription(now: t0, calls: [callSid(1), callSid(2), callSid(4)]) == 2)
        #expect(try store.enqueueDownloadedForTranscription(now: t0, calls: []) == 0)
        #expect(Set(try store.claimableTranscriptions(now: t0, limit: 10)) == [callSid(1), callSid(2)])
        #expect(try store.enqueueDownloadedForTranscription(now: t0, calls: nil) == 1)
        #expect(Set(try store.claimableTranscriptions(now: t0, limit: 10)) == [callSid(1), callSid(2), callSid(3)])
    }

    @Test(arguments: StoreEngine.allCases)
    func aClaimIsFencedAgainstTheOwnerWhoLostIt(engine: StoreEngine) async throws {
        let lease = LeaseTerms(duration: 10)
        let slow = try engine.makeStore(lease: lease)
        try slow.seed(1...1)
        try await slow.markDownloaded(1)
        let fast = try engine.open(beside: slow, owner: .elsewhere, lease: lease)
        try slow.enqueueDownloadedForTranscription(now: t0)

        let lost = try #require(try slow.claimTranscriptionJob(callSid(1), now: t0, onlyIfQueued: true))
        #expect(try fast.claimTranscriptionJob(callSid(1), now: t0.addingTimeInterval(5), onlyIfQueued: true) == nil, "held")
        let taken = try #require(try fast.claimTranscriptionJob(callSid(1), now: t0.addingTimeInterval(11), onlyIfQueued: false), "expired")
        #expect(taken.fence > lost.fence)

        #expect(try !slow.saveOfflineTranscript(offline("stale"), claim: lost, recordingSid: recordingSid(1), now: t0.addingTimeInterval(12)))
        #expect(try slow.offlineTranscript(callSid(1)) == nil, "a refused result writes nothing")
        #expect(try !slow.failTranscription(lost, error: "late failure", now: t0.addingTimeInterval(12)))
        #expect(try slow.offlineState(callSid(1)) == .running, "a refused failure changes nothing")

        #expect(try fast.saveOfflineTranscript(offline("fresh"), claim: taken, recordingSid: recordingSid(1), now: t0.addingTimeInterval(13)))
        #expect(try !slow.saveOfflineTranscript(offline("staler"), claim: lost, recordingSid: recordingSid(1), now: t0.addingTimeInterval(14)))
        let stored = try #require(try slow.offlineTranscript(callSid(1)))
        #expect(stored.transcript.text == "fresh" && stored.recordingSid == recordingSid(1) && stored.createdAt == t0.addingTimeInterval(13))
        #expect(stored.transcript.model == "base" && stored.transcript.segments.map(\.text) == ["fresh"])
        #expect(try slow.offlineState(callSid(1)) == .done(text: "fresh"))
    }

    @Test(arguments: StoreEngine.allCases)
    func aFailureIsWrittenUnderItsClaimAndShownWithItsReason(engine: StoreEngine) async throws {
        let store = try engine.makeStore()
        try store.seed(1...1)
        try await store.markDownloaded(1)
        try store.saveRealtimeTranscript("realtime words", callSid: callSid(1), origin: "twilio", now: t0)
        let claim = try #require(try store.claimTranscriptionJob(callSid(1), now: t0))
        #expect(try store.failTranscription(claim, error: "model crashed", now: t0.addingTimeInterval(1)))
        #expect(try store.offlineState(callSid(1)) == .failed(reason: "model crashed"))
        let chosen = try #require(try store.authoritativeTranscript(callSid(1)))
        #expect(chosen.source == .realtime && chosen.reason == "offline failed: model crashed → realtime" && chosen.text == "realtime words")
        // Once it failed, the claim is spent: a second failure under it is refused.
        #expect(try !store.failTranscription(claim, error: "again", now: t0.addingTimeInterval(2)))
    }

    @Test(arguments: StoreEngine.allCases)
    func theTranscriptThatCountsIsOfflineWhenThereIsOneElseRealtime(engine: StoreEngine) throws {
        let store = try engine.makeStore()
        try store.seed(1...1)
        try store.upsertCalls([twilioCall(2)], now: t0)
        #expect(try store.authoritativeTranscript(callSid(2)) == AuthoritativeTranscript(source: .none, reason: "none available", text: ""))

        try store.saveRealtimeTranscript("  realtime words ", callSid: callSid(1), origin: "twilio", now: t0)
        let realtime = try #require(try store.authoritativeTranscript(callSid(1)))
        #expect(realtime.source == .realtime && realtime.reason == "offline pending → realtime" && realtime.text == "realtime words")
        #expect(realtime.engine == "twilio" && realtime.createdAt == t0)

        try store.saveOfflineTranscript(offline("   "), callSid: callSid(1), recordingSid: recordingSid(1), now: t0.addingTimeInterval(1))
        #expect(try store.authoritativeTranscript(callSid(1))?.reason == "offline empty (no speech) → realtime")

        try store.saveOfflineTranscript(offline(" Offline words. "), callSid: callSid(1), recordingSid: recordingSid(1), now: t0.addingTimeInterval(2))
        #expect(try store.authoritativeTranscript(callSid(1)) == AuthoritativeTranscript(source: .offline, reason: "offline", text: "Offline words.",
                                                                                         engine: "test base", createdAt: t0.addingTimeInterval(2)))
        #expect(try store.realtimeTranscript(callSid(1))?.text == "realtime words")
    }
}
