import Foundation
import Testing
@testable import CallTopCore

/// What workers keep in the store: their rows, the sync lease, queued
/// transcriptions, handed-back claims and the transcription fence.
@Suite struct WorkerStoreTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let elsewhere = LeaseOwner(host: "elsewhere.example", pid: 4242, token: "b0b0b0b0")
    static let third = LeaseOwner(host: "third.example", pid: 77, token: "c0c0c0c0")

    func callSid(_ i: Int) -> String { String(format: "CA%032x", i) }
    func recordingSid(_ i: Int) -> String { String(format: "RE%032x", i) }

    /// A store with `count` calls of one recording each; the first `downloaded` of them downloaded.
    func seeded(_ dir: URL, count: Int = 3, downloaded: Int = 0, owner: LeaseOwner = .thisProcess, lease: TimeInterval = 60) throws -> Store {
        let store = try Store(dataDir: dir, owner: owner, lease: LeaseTerms(duration: lease))
        for i in 1...count {
            try store.upsertCalls([TwilioCall(sid: callSid(i), from: "+1", to: "+2", direction: "inbound", status: "completed",
                                              startTime: now, durationS: 30)], now: now)
            try store.upsertRecordings([TwilioRecording(sid: recordingSid(i), callSid: callSid(i), status: "completed", durationS: 30, channels: 1,
                                                        dateCreated: now, uri: "/2010-04-01/Accounts/AC1/Recordings/\(recordingSid(i)).json")], now: now)
        }
        for i in 0..<downloaded { try markDownloaded(store, i + 1) }
        return store
    }

    func markDownloaded(_ store: Store, _ i: Int) throws {
        _ = try #require(try store.claimDownload(recordingSid(i), now: now))
        let attempt = DownloadAttempt(recordingSid: recordingSid(i), startedAt: now, httpStatus: 200, twilioCode: nil, bytes: 10, durationMs: 1, error: nil)
        #expect(try store.recordAttempt(attempt, decision: .downloaded, memory: RetryMemory(), file: SavedFile(relativePath: "recordings/\(callSid(i)).mp3", bytes: 10, sha256: "00"),
                                        expectedBytes: 10, now: now))
    }

    func transcript(_ text: String) -> OfflineTranscript {
        OfflineTranscript(text: text, segments: [], language: "en", audioSHA256: "", model: "base", modelSHA256: "", engine: "test",
                          settingsJSON: "{}", audioSeconds: 1, processingSeconds: 0.1)
    }

    @Test func aWorkerRegistersBeatsAndStops() throws {
        let store = try seeded(temporaryDirectory())
        try store.registerWorker(WorkerRecord(name: "w1", owner: store.owner, version: "0.1.0", startedAt: now, downloadSlots: 4, transcriptionSlots: 1), now: now)
        try store.workerHeartbeat(name: "w1", counts: WorkerCounts(jobsRunning: 2, jobsDone: 5, failures: 1), now: now.addingTimeInterval(5))
        var row = try #require(try store.workers().first)
        #expect(row.state == .running && row.jobsRunning == 2 && row.jobsDone == 5 && row.failures == 1)
        #expect(row.heartbeatAt == now.addingTimeInterval(5) && row.host == store.owner.host && row.pid == getpid() && row.version == "0.1.0")
        try store.markWorkerStopped(name: "w1", counts: WorkerCounts(jobsDone: 6, failures: 1), now: now.addingTimeInterval(9))
        row = try #require(try store.workers().first)
        #expect(row.state == .stopped && row.jobsRunning == 0 && row.jobsDone == 6 && row.stoppedAt == now.addingTimeInterval(9))
    }

    @Test func aLiveWorkersNameIsNotTakenButAStaleOrStoppedOneIs() throws {
        let dir = temporaryDirectory()
        let mine = try seeded(dir)
        let theirs = try Store(dataDir: dir, owner: Self.elsewhere)
        try theirs.registerWorker(WorkerRecord(name: "w", owner: Self.elsewhere, version: "0.1.0", startedAt: now, downloadSlots: 1, transcriptionSlots: 0), now: now)
        let me = WorkerRecord(name: "w", owner: mine.owner, version: "0.1.0", startedAt: now, downloadSlots: 1, transcriptionSlots: 0)
        #expect(throws: WorkerRegistrationError.self) { try mine.registerWorker(me, now: now.addingTimeInterval(10)) }
        // Its heartbeat is older than a lease: it is gone, the name is free.
        try mine.registerWorker(me, now: now.addingTimeInterval(61))
        #expect(try mine.workers().map(\.owner) == [mine.owner.description])
        try mine.markWorkerStopped(name: "w", counts: WorkerCounts(), now: now.addingTimeInterval(62))
        try theirs.registerWorker(WorkerRecord(name: "w", owner: Self.elsewhere, version: "0.1.0", startedAt: now, downloadSlots: 1, transcriptionSlots: 0),
                                  now: now.addingTimeInterval(63))
    }

    @Test func oneOwnerAtATimeHoldsTheSyncLeaseUntilItExpiresOrIsReleased() throws {
        let dir = temporaryDirectory()
        let a = try seeded(dir)
        let b = try Store(dataDir: dir, owner: Self.elsewhere)
        #expect(try a.holdLease("sync", duration: 10, now: now))
        #expect(try !b.holdLease("sync", duration: 10, now: now.addingTimeInterval(1)))
        #expect(try a.holdLease("sync", duration: 10, now: now.addingTimeInterval(8)), "renewal by the holder")
        #expect(try !b.holdLease("sync", duration: 10, now: now.addingTimeInterval(17)))
        #expect(try b.holdLease("sync", duration: 10, now: now.addingTimeInterval(18.5)), "expired: taken over")
        #expect(try a.leaseHolder("sync")?.owner == Self.elsewhere.description)
        #expect(try !a.holdLease("sync", duration: 10, now: now.addingTimeInterval(19)))
        try a.releaseLease("sync")  // not the holder: nothing changes
        #expect(try a.leaseHolder("sync")?.owner == Self.elsewhere.description)
        try b.releaseLease("sync")
        #expect(try a.holdLease("sync", duration: 10, now: now.addingTimeInterval(20)), "released: taken at once")
    }

    @Test func downloadedCallsAreQueuedForTranscriptionOnce() throws {
        let store = try seeded(temporaryDirectory(), count: 3, downloaded: 2)
        #expect(try store.enqueueDownloadedForTranscription(now: now) == 2)
        #expect(try store.enqueueDownloadedForTranscription(now: now) == 0)
        #expect(Set(try store.claimableTranscriptions(now: now, limit: 10)) == [callSid(1), callSid(2)])
        let claim = try #require(try store.claimTranscriptionJob(callSid(1), now: now, onlyIfQueued: true))
        #expect(try store.saveOfflineTranscript(transcript("hello"), claim: claim, recordingSid: recordingSid(1), now: now))
        #expect(try store.claimableTranscriptions(now: now, limit: 10) == [callSid(2)])
        // Done stays done: no second queue entry, no second claim by a worker.
        #expect(try store.enqueueDownloadedForTranscription(now: now) == 0)
        #expect(try store.claimTranscriptionJob(callSid(1), now: now, onlyIfQueued: true) == nil)
        // A person asking again (transcribe, the dashboard's t) still redoes it.
        #expect(try store.claimTranscriptionJob(callSid(1), now: now) != nil)
    }

    @Test func aLateWriteFromALostTranscriptionLeaseIsRefused() throws {
        let dir = temporaryDirectory()
        let slow = try seeded(dir, count: 1, downloaded: 1, lease: 10)
        let fast = try Store(dataDir: dir, owner: Self.elsewhere, lease: LeaseTerms(duration: 10))
        try slow.enqueueDownloadedForTranscription(now: now)
        let lost = try #require(try slow.claimTranscriptionJob(callSid(1), now: now, onlyIfQueued: true))
        #expect(try fast.claimTranscriptionJob(callSid(1), now: now.addingTimeInterval(5), onlyIfQueued: true) == nil, "held")
        let taken = try #require(try fast.claimTranscriptionJob(callSid(1), now: now.addingTimeInterval(11), onlyIfQueued: true), "expired")
        #expect(taken.fence == lost.fence + 1)
        #expect(try !slow.saveOfflineTranscript(transcript("stale"), claim: lost, recordingSid: recordingSid(1), now: now.addingTimeInterval(12)))
        #expect(try !slow.failTranscription(lost, error: "late", now: now.addingTimeInterval(12)))
        #expect(try fast.saveOfflineTranscript(transcript("fresh"), claim: taken, recordingSid: recordingSid(1), now: now.addingTimeInterval(13)))
        #expect(try !slow.saveOfflineTranscript(transcript("staler"), claim: lost, recordingSid: recordingSid(1), now: now.addingTimeInterval(14)))
        #expect(try slow.offlineTranscript(callSid(1))?.transcript.text == "fresh")
        #expect(try slow.offlineState(callSid(1)) == .done(text: "fresh"))
    }

    @Test func theSameOwnerReclaimingIsFencedToo() throws {
        // Our own earlier claim, expired and claimed again by us: only the newer fence writes.
        let store = try seeded(temporaryDirectory(), count: 1, downloaded: 1, lease: 10)
        try store.enqueueDownloadedForTranscription(now: now)
        let first = try #require(try store.claimTranscriptionJob(callSid(1), now: now, onlyIfQueued: true))
        let second = try #require(try store.claimTranscriptionJob(callSid(1), now: now.addingTimeInterval(11), onlyIfQueued: true))
        #expect(try !store.saveOfflineTranscript(transcript("old"), claim: first, recordingSid: recordingSid(1), now: now.addingTimeInterval(12)))
        #expect(try store.saveOfflineTranscript(transcript("new"), claim: second, recordingSid: recordingSid(1), now: now.addingTimeInterval(12)))
    }

    @Test func handedBackClaimsAreClaimableAtOnceAndTheirLateWritesRefused() throws {
        let dir = temporaryDirectory()
        let leaving = try seeded(dir, count: 2, downloaded: 1)
        let other = try Store(dataDir: dir, owner: Self.elsewhere)
        try leaving.enqueueDownloadedForTranscription(now: now)
        let claim = try #require(try leaving.claimTranscriptionJob(callSid(1), now: now, onlyIfQueued: true))
        _ = try #require(try leaving.claimDownload(recordingSid(2), now: now))
        #expect(try other.claimDownload(recordingSid(2), now: now.addingTimeInterval(1)) == nil)
        #expect(try leaving.releaseClaims(now: now.addingTimeInterval(1)) == 2)
        #expect(try leaving.recording(recordingSid(2))?.downloadState == .pending)
        #expect(try other.claimDownload(recordingSid(2), now: now.addingTimeInterval(1)) != nil)
        #expect(try other.claimableTranscriptions(now: now.addingTimeInterval(1), limit: 5) == [callSid(1)])
        #expect(try !leaving.saveOfflineTranscript(transcript("late"), claim: claim, recordingSid: recordingSid(1), now: now.addingTimeInterval(2)))
        // Another owner's claims are not ours to hand back.
        #expect(try leaving.releaseClaims(now: now.addingTimeInterval(2)) == 0)
        #expect(try other.recording(recordingSid(2))?.downloadState == .downloading)
    }

    @Test func aCallWhoseRecordingFailedIsOfferedSoItsJobCanFailWithTheReason() throws {
        let store = try seeded(temporaryDirectory(), count: 2, downloaded: 1)
        try store.setTranscriptionJob(callSid(2), state: .pending, now: now)  // the dashboard's t on a call not downloaded yet
        #expect(try store.claimableTranscriptions(now: now, limit: 5).isEmpty, "neither queued by the worker nor downloaded")
        try store.enqueueDownloadedForTranscription(now: now)
        #expect(try store.claimableTranscriptions(now: now, limit: 5) == [callSid(1)], "call 2 waits for its download")
        try store.markFileProblem(recordingSid(1), reason: "x", now: now)  // downloaded → failed
        _ = try store.claimDownload(recordingSid(2), now: now)
        #expect(try store.claimableTranscriptions(now: now, limit: 5) == [callSid(1)])
    }
}
