import Foundation
import Testing
@testable import CallTopCore

/// The worker's decisions as values: durations, when to sync, what to claim, how to drain.
@Suite struct WorkerDecisionTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test(arguments: [("60", 60.0), ("60s", 60), ("2m", 120), ("2", 2), ("2.5s", 2.5), ("500ms", 0.5), ("1h", 3600), (" 90S ", 90)])
    func durationsInSecondsOrWithAUnit(text: String, seconds: Double) throws {
        #expect(try WorkerDuration.parse(text) == seconds)
    }

    @Test(arguments: ["0", "0s", "-1", "-5s", "nan", "inf", "", "s", "2x", "1e3", "0x10", "1.2.3", "m"])
    func nothingElseIsADuration(text: String) {
        #expect(throws: WorkerDuration.Invalid.self) { try WorkerDuration.parse(text) }
    }

    @Test func aFreshWorkerSyncsAtOnceUnlessAnotherJustDid() {
        let schedule = SyncSchedule(interval: 60)
        #expect(schedule.isDue(now: now, lastSuccess: nil))
        #expect(!schedule.isDue(now: now, lastSuccess: now.addingTimeInterval(-10)))
        #expect(schedule.nextCheck(now: now, lastSuccess: now.addingTimeInterval(-10)) == now.addingTimeInterval(50))
        #expect(schedule.isDue(now: now, lastSuccess: now.addingTimeInterval(-60)))
        #expect(schedule.isDue(now: now, lastSuccess: now.addingTimeInterval(3600)), "a mark from the future (a skewed clock) must not stop syncing")
    }

    @Test func afterItsOwnAttemptAWorkerWaitsAnIntervalWhateverTheStoreSays() {
        let schedule = SyncSchedule(interval: 2, lastAttempt: now)
        #expect(!schedule.isDue(now: now.addingTimeInterval(1.9), lastSuccess: nil))
        #expect(schedule.isDue(now: now.addingTimeInterval(2), lastSuccess: nil))
        #expect(schedule.nextCheck(now: now.addingTimeInterval(1), lastSuccess: nil) == now.addingTimeInterval(2))
    }

    @Test func claimsFillOnlyFreeSlotsAndSkipWhatRunsHere() {
        #expect(ClaimPlan.pick(["a", "b", "c", "d"], running: ["b"], slots: 3, free: 2) == ["a", "c"])
        #expect(ClaimPlan.pick(["a", "a", "b"], running: [], slots: 4, free: 4) == ["a", "b"])
        #expect(ClaimPlan.pick(["a"], running: [], slots: 0, free: 3).isEmpty, "--transcriptions 0 claims nothing")
        #expect(ClaimPlan.pick(["a"], running: [], slots: 2, free: -1).isEmpty)
    }

    @Test func drainingStopsWaitsThenHandsBack() {
        let deadline = now.addingTimeInterval(20)
        #expect(DrainDecision.decide(running: 0, now: now, deadline: deadline) == .stop)
        #expect(DrainDecision.decide(running: 2, now: now, deadline: deadline) == .wait(until: deadline))
        #expect(DrainDecision.decide(running: 2, now: deadline.addingTimeInterval(-0.01), deadline: deadline) == .wait(until: deadline))
        #expect(DrainDecision.decide(running: 2, now: deadline, deadline: deadline) == .handBack(count: 2))
    }

    @Test func namesAreShortAndPlain() {
        #expect(WorkerSettings.defaultName(host: "box1.example.com", pid: 42) == "box1-42")
        #expect(WorkerSettings.isValidName("box1-2"))
        #expect(WorkerSettings.isValidName("calltop@box_1.a"))
        for bad in ["", "a b", "x\u{1B}[2J", String(repeating: "a", count: 65), "ünï"] { #expect(!WorkerSettings.isValidName(bad)) }
    }

    @Test func theHeartbeatFallsWellInsideALease() {
        #expect(WorkerSettings(name: "w", leaseSeconds: 60).heartbeatInterval == 5)
        #expect(WorkerSettings(name: "w", leaseSeconds: 3).heartbeatInterval == 1)
    }
}
