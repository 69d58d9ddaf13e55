@testable import CallTopCore
import CallTopWebhooks
import Foundation
import Testing

/// Worker rows and the named leases only one owner holds at a time (the sync lease).
@Suite struct WorkersAndLeasesContractTests {
    func worker(_ name: String, _ owner: LeaseOwner, at: Date = t0) -> WorkerRecord {
        WorkerRecord(name: name, owner: owner, version: "0.1.0", startedAt: at, downloadSlots: 4, transcriptionSlots: 1)
    }

    @Test(arguments: StoreEngine.allCases)
    func aWorkerRegistersBeatsAndStops(engine: StoreEngine) throws {
        let store = try engine.makeStore()
        try store.registerWorker(worker("w2", store.owner), now: t0)
        try store.registerWorker(worker("w1", store.owner), now: t0)
        #expect(try store.workers() == [worker("w1", store.owner), worker("w2", store.owner)], "listed by name, as registered")

        try store.workerHeartbeat(name: "w1", counts: WorkerCounts(jobsRunning: 2, jobsDone: 5, failures: 1), now: t0.addingTimeInterval(5))
        var row = try #require(try store.workers().first)
        #expect(row.state == .running && row.jobsRunning == 2 && row.jobsDone == 5 && row.failures == 1)
        #expect(row.heartbeatAt == t0.addingTimeInterval(5) && row.host == store.owner.host && row.pid == store.owner.pid)

        try store.markWorkerStopped(name: "w1", counts: WorkerCounts(jobsDone: 6, failures: 1), now: t0.addingTimeInterval(9))
        row = try #require(try store.workers().first)
        #expect(row.state == .stopped && row.jobsRunning == 0 && row.jobsDone == 6 && row.stoppedAt == t0.addingTimeInterval(9))
        #expect(try store.workers().last?.state == .running)
    }

    @Test(arguments: StoreEngine.allCases)
    func aLiveWorkersNameIsNotTakenByAnotherOwner(engine: StoreEngine) throws {
        let mine = try engine.makeStore()
        let theirs = try engine.open(beside: mine, owner: .elsewhere)
        try theirs.registerWorker(worker("w", .elsewhere), now: t0)
        #expect(throws: WorkerRegistrationError.nameTaken(name: "w", host: "elsewhere.example", pid: 4242)) {
            try mine.registerWorker(worker("w", mine.owner), now: t0.addingTimeInterval(10))
        }
        #expect(try mine.workers().map(\.owner) == [LeaseOwner.elsewhere.description])
        // The same owner starting again is no clash.
        try theirs.registerWorker(worker("w", .elsewhere), now: t0.addingTimeInterval(11))
        // A heartbeat older than a lease: that worker is gone and the name is free.
        try mine.registerWorker(worker("w", mine.owner), now: t0.addingTimeInterval(11 + mine.lease.duration + 1))
        #expect(try mine.workers().map(\.owner) == [mine.owner.description])
        // A worker that stopped cleanly frees its name at once.
        try mine.markWorkerStopped(name: "w", counts: WorkerCounts(), now: t0.addingTimeInterval(80))
        try theirs.registerWorker(worker("w", .elsewhere), now: t0.addingTimeInterval(81))
        #expect(try mine.workers().map(\.owner) == [LeaseOwner.elsewhere.description])
    }

    @Test(arguments: StoreEngine.allCases)
    func aNamedLeaseIsOneOwnersUntilItExpiresOrIsReleased(engine: StoreEngine) throws {
        let a = try engine.makeStore()
        let b = try engine.open(beside: a, owner: .elsewhere)
        #expect(try a.leaseHolder("sync") == nil)
        #expect(try a.holdLease("sync", duration: 10, now: t0))
        let held = try #require(try b.leaseHolder("sync"))
        #expect(held.owner == a.owner.description && held.expiresAt == t0.addingTimeInterval(10))
        #expect(try !b.holdLease("sync", duration: 10, now: t0.addingTimeInterval(1)))
        #expect(try a.holdLease("sync", duration: 10, now: t0.addingTimeInterval(8)), "renewed by its holder")
        #expect(try !b.holdLease("sync", duration: 10, now: t0.addingTimeInterval(17)))
        #expect(try b.holdLease("sync", duration: 10, now: t0.addingTimeInterval(18.5)), "expired: taken over")
        #expect(try a.leaseHolder("sync")?.owner == LeaseOwner.elsewhere.description)

        try a.releaseLease("sync")  // not the holder: nothing changes
        #expect(try a.leaseHolder("sync")?.owner == LeaseOwner.elsewhere.description)
        try b.releaseLease("sync")
        #expect(try a.leaseHolder("sync") == nil)
        #expect(try a.holdLease("sync", duration: 10, now: t0.addingTimeInterval(20)), "released: free at once")
        #expect(try a.holdLease("other", duration: 10, now: t0.addingTimeInterval(20)) && b.holdLease("third", duration: 10, now: t0), "names are separate")
    }
}
