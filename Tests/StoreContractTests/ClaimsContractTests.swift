@testable import CallTopCore
import CallTopWebhooks
import Foundation
import Testing

/// Download claims between owners: leases, late results, file names.
@Suite struct ClaimsContractTests {
    @Test(arguments: StoreEngine.allCases)
    func onlyTheFirstClaimWinsUntilItsLeaseRunsOut(engine: StoreEngine) async throws {
        let mine = try engine.makeStore()
        try mine.seed(1...1)
        let theirs = try engine.open(beside: mine, owner: .elsewhere)
        let sid = recordingSid(1)

        let claimed = try #require(try await mine.claimDownload(sid, now: t0))
        #expect(claimed.downloadState == .downloading && claimed.leaseOwner == mine.owner.description)
        #expect(try await theirs.claimDownload(sid, now: t0.addingTimeInterval(1)) == nil)
        #expect(try theirs.dueRecordingSids(now: t0.addingTimeInterval(1)).isEmpty, "a live claim is nobody else's work")

        let expired = t0.addingTimeInterval(mine.lease.duration + 1)
        #expect(try theirs.dueRecordingSids(now: expired) == [sid])
        let taken = try #require(try await theirs.claimDownload(sid, now: expired))
        #expect(taken.leaseOwner == LeaseOwner.elsewhere.description && taken.fileName == claimed.fileName)
    }

    @Test(arguments: StoreEngine.allCases)
    func aResultWrittenUnderALostLeaseIsDiscarded(engine: StoreEngine) async throws {
        let mine = try engine.makeStore()
        try mine.seed(1...1)
        let theirs = try engine.open(beside: mine, owner: .elsewhere)
        let sid = recordingSid(1)
        _ = try #require(try await mine.claimDownload(sid, now: t0))
        let expired = t0.addingTimeInterval(mine.lease.duration + 1)
        let taken = try #require(try await theirs.claimDownload(sid, now: expired))
        let name = try #require(taken.fileName)

        let late = try await mine.recordAttempt(attempt(sid, at: t0, bytes: 99), decision: .downloaded, memory: RetryMemory(),
                                                file: SavedFile(relativePath: name, bytes: 99, sha256: "late"), expectedBytes: 99, now: expired)
        #expect(!late)
        let untouched = try #require(try mine.recording(sid))
        #expect(untouched.downloadState == .downloading && untouched.leaseOwner == LeaseOwner.elsewhere.description)
        #expect(untouched.attempts == 0 && untouched.bytes == nil && untouched.path == nil && untouched.sha256 == nil)
        #expect(try mine.attempts(ofRecording: sid).isEmpty)

        // The holder's result stands, with everything it says.
        let done = attempt(sid, at: expired, bytes: 1234)
        #expect(try await theirs.recordAttempt(done, decision: .downloaded, memory: RetryMemory(),
                                               file: SavedFile(relativePath: name, bytes: 1234, sha256: sha), expectedBytes: 1234, now: expired))
        let after = try #require(try mine.recording(sid))
        #expect(after.downloadState == .downloaded && after.bytes == 1234 && after.expectedBytes == 1234)
        #expect(after.path == name && after.sha256 == sha && after.attempts == 1 && after.leaseOwner == nil)
        #expect(try mine.attempts(ofRecording: sid) == [done])
        #expect(try mine.downloadedRecordings().map(\.sid) == [sid])
    }

    @Test(arguments: StoreEngine.allCases)
    func anAttemptStoresItsDecisionsStateAndSchedule(engine: StoreEngine) async throws {
        let store = try engine.makeStore()
        try store.seed(1...1)
        let sid = recordingSid(1)
        _ = try #require(try await store.claimDownload(sid, now: t0))
        let retryAt = t0.addingTimeInterval(30)
        #expect(try await store.recordAttempt(attempt(sid, at: t0, http: 503, error: "HTTP 503"),
                                              decision: .retry(state: .retrying, at: retryAt, reason: "HTTP 503"),
                                              memory: RetryMemory(transientFailures: 1), file: nil, expectedBytes: nil, now: t0))
        let retrying = try #require(try store.recording(sid))
        #expect(retrying.downloadState == .retrying && retrying.nextRetryAt == retryAt && retrying.lastError == "HTTP 503")
        #expect(retrying.memory.transientFailures == 1 && retrying.attempts == 1 && retrying.leaseOwner == nil)

        _ = try #require(try await store.claimDownload(sid, now: retryAt))
        #expect(try await store.recordAttempt(attempt(sid, at: retryAt, http: 401, error: "auth"), decision: .failed(reason: "auth refused"),
                                              memory: RetryMemory(transientFailures: 1), file: nil, expectedBytes: nil, now: retryAt))
        let failed = try #require(try store.recording(sid))
        #expect(failed.downloadState == .failed && failed.lastError == "auth refused" && failed.nextRetryAt == nil && failed.attempts == 2)
        #expect(try store.attempts(ofRecording: sid).map(\.httpStatus) == [503, 401])
    }

    @Test(arguments: StoreEngine.allCases)
    func fileNamesAreGivenOnceAndNeverTwice(engine: StoreEngine) async throws {
        let store = try engine.makeStore()
        try store.seed(1...1)
        // Recording 2 is older (a <Record> leg that finished first) but is claimed second.
        try store.upsertRecordings([twilioRecording(2, call: 1, created: -60)], now: t0)
        let first = try #require(try await store.claimDownload(recordingSid(1), now: t0))
        let second = try #require(try await store.claimDownload(recordingSid(2), now: t0))
        #expect(first.fileName == "recordings/\(callSid(1)).mp3")
        #expect(second.fileName == "recordings/\(callSid(1))-\(recordingSid(2)).mp3")
        #expect(try store.recording(recordingSid(1))?.fileName == first.fileName)

        // A retry keeps the name it was given, and the other recording never gets it.
        try await store.recordAttempt(attempt(recordingSid(1), at: t0, http: 500), decision: .failed(reason: "x"), memory: RetryMemory(),
                                      file: nil, expectedBytes: nil, now: t0)
        #expect(try store.resetForRetry([recordingSid(1)], now: t0) == [recordingSid(1)])
        #expect(try await store.claimDownload(recordingSid(1), now: t0)?.fileName == first.fileName)
        let names = try store.recordings(ofCall: callSid(1)).compactMap(\.fileName)
        #expect(names.count == 2 && Set(names).count == 2)
    }

    @Test(arguments: StoreEngine.allCases)
    func aUsersRetryMovesFailedRecordingsBackToPending(engine: StoreEngine) async throws {
        let store = try engine.makeStore()
        try store.seed(1...2)
        try await store.markDownloaded(2)
        let sid = recordingSid(1)
        _ = try #require(try await store.claimDownload(sid, now: t0))
        try await store.recordAttempt(attempt(sid, at: t0, http: 401), decision: .failed(reason: "auth"), memory: RetryMemory(transientFailures: 8),
                                      file: nil, expectedBytes: nil, now: t0)
        // Only the failed one moves: a downloaded recording and an unknown SID are left alone.
        #expect(try store.resetForRetry([sid, recordingSid(2), recordingSid(9)], now: t0.addingTimeInterval(5)) == [sid])
        let r = try #require(try store.recording(sid))
        #expect(r.downloadState == .pending && r.memory.transientFailures == 0 && r.attempts == 1 && r.nextRetryAt == nil)
        #expect(try store.recording(recordingSid(2))?.downloadState == .downloaded)
        #expect(try store.recordingSids(inState: [.failed]).isEmpty)
    }

    @Test(arguments: StoreEngine.allCases)
    func dueRecordingsArePendingOnesAndRetriesWhoseTimeHasCome(engine: StoreEngine) async throws {
        let store = try engine.makeStore()
        try store.seed(1...4)
        try await store.markDownloaded(4)
        _ = try #require(try await store.claimDownload(recordingSid(2), now: t0))
        let retryAt = t0.addingTimeInterval(30)
        try await store.recordAttempt(attempt(recordingSid(2), at: t0, http: 503), decision: .retry(state: .retrying, at: retryAt, reason: "HTTP 503"),
                                      memory: RetryMemory(transientFailures: 1), file: nil, expectedBytes: nil, now: t0)
        _ = try #require(try await store.claimDownload(recordingSid(3), now: t0))
        try await store.recordAttempt(attempt(recordingSid(3), at: t0, http: 404), decision: .failed(reason: "gone"), memory: RetryMemory(),
                                      file: nil, expectedBytes: nil, now: t0)

        #expect(try store.dueRecordingSids(now: t0.addingTimeInterval(29)) == [recordingSid(1)])
        #expect(Set(try store.dueRecordingSids(now: retryAt)) == [recordingSid(1), recordingSid(2)])
        #expect(try store.nextRetry() == retryAt)
        #expect(try store.nextRetry(among: [recordingSid(1)]) == nil)
    }

    @Test(arguments: StoreEngine.allCases)
    func releasedClaimsAreThisOwnersOnlyAndClaimableAtOnce(engine: StoreEngine) async throws {
        let leaving = try engine.makeStore()
        try leaving.seed(1...3)
        try await leaving.markDownloaded(1)
        let other = try engine.open(beside: leaving, owner: .elsewhere)
        try leaving.enqueueDownloadedForTranscription(now: t0)
        let job = try #require(try leaving.claimTranscriptionJob(callSid(1), now: t0, onlyIfQueued: true))
        _ = try #require(try await leaving.claimDownload(recordingSid(2), now: t0))
        _ = try #require(try await other.claimDownload(recordingSid(3), now: t0))

        #expect(try leaving.releaseClaims(now: t0.addingTimeInterval(1)) == 2)
        let released = try #require(try other.recording(recordingSid(2)))
        #expect(released.downloadState == .pending && released.leaseOwner == nil)
        #expect(try other.recording(recordingSid(3))?.leaseOwner == LeaseOwner.elsewhere.description, "another owner's claim is not handed back")
        #expect(try await other.claimDownload(recordingSid(2), now: t0.addingTimeInterval(1)) != nil)
        #expect(try other.claimableTranscriptions(now: t0.addingTimeInterval(1), limit: 5) == [callSid(1)])
        #expect(try !leaving.saveOfflineTranscript(offline("late"), claim: job, recordingSid: recordingSid(1), now: t0.addingTimeInterval(2)))
        #expect(try leaving.releaseClaims(now: t0.addingTimeInterval(2)) == 0)
    }

    @Test(arguments: StoreEngine.allCases)
    func abandonedWorkIsTakenBackOnlyOnceItsLeaseRunsOut(engine: StoreEngine) async throws {
        let store = try engine.makeStore()
        try store.seed(1...3)
        try await store.markDownloaded(3)
        try store.enqueueDownloadedForTranscription(now: t0)
        let early = try engine.open(beside: store, owner: .elsewhere)
        let late = try engine.open(beside: store, owner: .third)
        _ = try #require(try await early.claimDownload(recordingSid(1), now: t0))
        _ = try #require(try early.claimTranscriptionJob(callSid(3), now: t0, onlyIfQueued: true))
        _ = try #require(try await late.claimDownload(recordingSid(2), now: t0.addingTimeInterval(30)))

        #expect(try store.reclaimAbandonedWork(now: t0.addingTimeInterval(1)) == 0, "live leases stay")
        // early's download and transcription have expired; late's download has not.
        #expect(try store.reclaimAbandonedWork(now: t0.addingTimeInterval(store.lease.duration + 1)) == 2)
        #expect(try store.recording(recordingSid(1))?.downloadState == .pending)
        #expect(try store.recording(recordingSid(2))?.leaseOwner == LeaseOwner.third.description)
        #expect(try store.offlineState(callSid(3)) == .pending)
        #expect(try store.reclaimAbandonedWork(now: t0.addingTimeInterval(30 + store.lease.duration + 1)) == 1)
        #expect(try store.recording(recordingSid(2))?.downloadState == .pending)
    }
}
