import Foundation
import CallTopTestSupport
import Testing
@testable import CallTopCore

/// Several calltop processes on one store: claims with owners and leases.
@Suite struct LeaseTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let callSid = String(format: "CA%032x", 1)
    let sid = String(format: "RE%032x", 1)
    static let otherHost = LeaseOwner(host: "elsewhere.example", pid: 4242, token: "b0b0b0b0")

    func seeded(_ dir: URL = temporaryDirectory(), owner: LeaseOwner = .thisProcess) throws -> Store {
        let store = try Store(dataDir: dir, owner: owner)
        try store.upsertCalls([TwilioCall(sid: callSid, from: "+1", to: "+2", direction: "inbound", status: "completed",
                                          startTime: now, durationS: 30)], now: now)
        try store.upsertRecordings([TwilioRecording(sid: sid, callSid: callSid, status: "completed", durationS: 30, channels: 1,
                                                    dateCreated: now, uri: "/2010-04-01/Accounts/AC1/Recordings/\(sid).json")], now: now)
        return store
    }

    @Test func aClaimHeldByALiveOwnerCannotBeTaken() throws {
        let dir = temporaryDirectory()
        let mine = try seeded(dir)
        let theirs = try Store(dataDir: dir, owner: Self.otherHost)
        let claimed = try #require(try mine.claimDownload(sid, now: now))
        #expect(claimed.leaseOwner == LeaseOwner.thisProcess.description && claimed.downloadState == .downloading)
        #expect(try theirs.claimDownload(sid, now: now.addingTimeInterval(1)) == nil)
        #expect(try theirs.dueRecordingSids(now: now.addingTimeInterval(1)).isEmpty)
        // Another process starting up must not reset our live work.
        #expect(try theirs.reclaimAbandonedWork(now: now.addingTimeInterval(1)) == 0)
        #expect(try mine.recording(sid)?.downloadState == .downloading)
    }

    @Test func renewedLeasesLastAndExpiredOnesAreTakenOver() throws {
        let dir = temporaryDirectory()
        let mine = try seeded(dir)
        let theirs = try Store(dataDir: dir, owner: Self.otherHost)
        _ = try #require(try mine.claimDownload(sid, now: now))
        let later = now.addingTimeInterval(mine.lease.duration - 1)
        try mine.renewLeases([.download(recordingSid: sid)], now: later)
        #expect(try theirs.claimDownload(sid, now: now.addingTimeInterval(mine.lease.duration + 5)) == nil)  // renewed: still ours
        let expired = later.addingTimeInterval(mine.lease.duration + 1)
        #expect(try theirs.dueRecordingSids(now: expired) == [sid])
        let taken = try #require(try theirs.claimDownload(sid, now: expired))
        #expect(taken.leaseOwner == Self.otherHost.description)
        // The first owner's late result is fenced off: the new holder's stands.
        let attempt = DownloadAttempt(recordingSid: sid, startedAt: now, httpStatus: 200, twilioCode: nil, bytes: 10, durationMs: 1, error: nil)
        let late = try mine.recordAttempt(attempt, decision: .failed(reason: "late"), memory: RetryMemory(), file: nil, expectedBytes: nil, now: expired)
        #expect(!late)
        #expect(try theirs.recording(sid)?.downloadState == .downloading)
        #expect(try theirs.recordAttempt(attempt, decision: .failed(reason: "theirs"), memory: RetryMemory(), file: nil, expectedBytes: nil, now: expired))
        let after = try #require(try theirs.recording(sid))
        #expect(after.lastError == "theirs" && after.leaseOwner == nil)
    }

    @Test func aDeadProcessOnThisHostIsReclaimedAtOnce() throws {
        let dir = temporaryDirectory()
        let crashed = try seeded(dir, owner: try .exitedLocalProcess())
        _ = try #require(try crashed.claimDownload(sid, now: now))
        let store = try Store(dataDir: dir)
        #expect(try store.reclaimAbandonedWork(now: now) == 1)
        #expect(try store.recording(sid)?.downloadState == .pending)
        // Another host's owner is never judged dead from here, only by its lease.
        let remote = try Store(dataDir: dir, owner: Self.otherHost)
        _ = try #require(try remote.claimDownload(sid, now: now))
        #expect(try store.reclaimAbandonedWork(now: now) == 0)
    }

    @Test func transcriptionClaimsAreExclusiveUntilTheyEnd() throws {
        let dir = temporaryDirectory()
        let mine = try seeded(dir)
        let theirs = try Store(dataDir: dir, owner: Self.otherHost)
        #expect(try mine.claimTranscription(callSid, now: now))
        #expect(try !theirs.claimTranscription(callSid, now: now.addingTimeInterval(1)))
        try mine.setTranscriptionJob(callSid, state: .failed, error: "x", now: now.addingTimeInterval(2))
        #expect(try theirs.claimTranscription(callSid, now: now.addingTimeInterval(3)))
        #expect(try mine.claimTranscription(callSid, now: now.addingTimeInterval(3 + mine.lease.duration + 1)))  // expired
    }

    @Test func leaseOwnerRoundTripsThroughItsText() {
        let owner = LeaseOwner(host: "box-1.internal", pid: 77, token: "abcd1234")
        #expect(LeaseOwner(owner.description) == owner)
        #expect(LeaseOwner("nonsense") == nil)
    }

    @Test func fileNamesAreAssignedOnceAndNeverShared() throws {
        let dir = temporaryDirectory()
        let store = try seeded(dir)
        let second = String(format: "RE%032x", 2)
        // The second recording is older (a <Record> leg that finished first) but is claimed later.
        _ = try #require(try store.claimDownload(sid, now: now))
        try store.upsertRecordings([TwilioRecording(sid: second, callSid: callSid, status: "completed", durationS: 5, channels: 1,
                                                    dateCreated: now.addingTimeInterval(-60), uri: "/x/\(second).json")], now: now)
        let later = try #require(try store.claimDownload(second, now: now))
        #expect(try store.recording(sid)?.fileName == "recordings/\(callSid).mp3")
        #expect(later.fileName == "recordings/\(callSid)-\(second).mp3")
        // The earlier recording is still the call's primary one in the list.
        #expect(try store.callRows().first?.recordingSid == second)
    }
}
