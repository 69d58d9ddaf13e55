import CallTopSimulator
import Foundation
import Synchronization
import Testing
@testable import CallTopCore

@Suite struct ConcurrencyLimitTests {
    @Test func classicAIMDGrowsByOnePerWindowAndHalvesOncePerBurst() {
        var limit = ConcurrencyLimit(initial: 4, maximum: 32, tuning: .classicAIMD)
        for _ in 0..<4 { _ = limit.issue(); limit.succeeded() }
        #expect(limit.permits == 4 || limit.permits == 5)
        for _ in 0..<200 { _ = limit.issue(); limit.succeeded() }
        #expect(limit.permits == 21 || limit.permits == 20)  // ~sqrt(2·204 + 16): additive, not exponential
        // Three requests in flight get 429 from the same overload: one halving.
        let tickets = (0..<3).map { _ in limit.issue() }
        let before = limit.permits
        for t in tickets { limit.rateLimited(ticket: t) }
        #expect(limit.permits == before / 2)
        // A request started after the halving that is still refused halves again.
        let later = limit.issue()
        limit.rateLimited(ticket: later)
        #expect(limit.permits == before / 4)
    }

    @Test func staysWithinItsBounds() {
        var limit = ConcurrencyLimit(initial: 100, maximum: 8)
        #expect(limit.permits == 8)
        for _ in 0..<1000 { _ = limit.issue(); limit.succeeded() }
        #expect(limit.permits == 8)
        for _ in 0..<10 { limit.rateLimited(ticket: limit.issue()) }
        #expect(limit.permits == 1)
    }

    @Test func slowStartDoublesPerWindowUntilTheFirst429() {
        var limit = ConcurrencyLimit(initial: 4, maximum: 64)
        for _ in 0..<4 { _ = limit.issue(); limit.succeeded() }
        #expect(limit.permits == 8)
        for _ in 0..<8 { _ = limit.issue(); limit.succeeded() }
        #expect(limit.permits == 16)
        // Overshot, with other clients on the account: halved, as TCP leaves slow start.
        limit.rateLimited(ticket: limit.issue(), accountInFlight: 17, ownInFlight: 9)
        #expect(limit.permits == 8)
        #expect(!limit.inSlowStart)
        for _ in 0..<8 { _ = limit.issue(); limit.succeeded() }
        #expect(limit.permits == 8, "additive now: a window of 8 successes adds about \(limit.share), not 8")
    }

    /// Alone on the account, Twilio's count says where its cap is: the limit
    /// goes just under it, and growing past it only probes, rarely.
    @Test func theAccountCountSetsTheLimitWhenWeAreAlone() {
        var limit = ConcurrencyLimit(initial: 4, maximum: 32)
        while limit.permits < 17 { _ = limit.issue(); limit.succeeded() }
        limit.rateLimited(ticket: limit.issue(), accountInFlight: 17, ownInFlight: 17)
        #expect(limit.permits == 16)
        for _ in 0..<(4 * 16) { _ = limit.issue(); limit.succeeded() }
        #expect(limit.permits == 16, "four windows at the cap: still probing slowly, \(limit.limit)")
        for _ in 0..<(8 * 17) { _ = limit.issue(); limit.succeeded() }
        #expect(limit.permits == 17, "twelve windows: one probe past the cap, \(limit.limit)")
    }

    @Test func aSharedAccountShrinksByTheDecreaseAndGrowsByItsShare() {
        var limit = ConcurrencyLimit(initial: 8, maximum: 32, tuning: { var t = ConcurrencyLimit.Tuning(); t.slowStart = false; return t }())
        limit.rateLimited(ticket: limit.issue(), accountInFlight: 17, ownInFlight: 4)
        #expect(abs(limit.limit - 8 * 0.85) < 1e-9)
        #expect(abs(limit.share - 4.0 / 17) < 1e-9)
        let before = limit.limit
        for _ in 0..<(20 * 7) { _ = limit.issue(); limit.succeeded() }  // 20 windows
        #expect(limit.limit - before < 20 * 0.4, "a quarter of the account grows by about a quarter per window: \(limit.limit)")
    }

    /// `processes` clients, each its own limit, against an account capped at
    /// `cap`: in every round (one round trip) each sends its permits, the
    /// account answers the first `cap` and refuses the rest with its count.
    static func simulate(processes: Int, cap: Int, rounds: Int, tuning: ConcurrencyLimit.Tuning = .init())
        -> (admitted: [Int], refused: [Int], permits: [[Int]]) {
        var limits = (0..<processes).map { _ in ConcurrencyLimit(initial: 4, maximum: 32, tuning: tuning) }
        var admitted: [Int] = [], refused: [Int] = [], permits: [[Int]] = []
        for round in 0..<rounds {
            var tickets: [(process: Int, ticket: UInt64)] = []
            let sending = limits.map(\.permits)
            for p in 0..<processes { for _ in 0..<sending[p] { tickets.append((p, limits[p].issue())) } }
            // Interleaved as they would arrive: a different order each round.
            var order = Array(tickets.indices)
            order.sort { ($0 * 7919 + round * 104_729) % 1013 < ($1 * 7919 + round * 104_729) % 1013 }
            var inFlight = 0, refusedNow = 0
            for i in order {
                let (p, ticket) = tickets[i]
                if inFlight < cap {
                    inFlight += 1
                    limits[p].succeeded()
                } else {
                    refusedNow += 1
                    limits[p].rateLimited(ticket: ticket, accountInFlight: cap + 1, ownInFlight: sending[p])
                }
            }
            admitted.append(inFlight)
            refused.append(refusedNow)
            permits.append(limits.map(\.permits))
        }
        return (admitted, refused, permits)
    }

    @Test func aloneItSettlesAtTheCapAndStaysThere() {
        let run = Self.simulate(processes: 1, cap: 16, rounds: 400)
        let adapted = 20
        #expect(run.permits.dropFirst(adapted).allSatisfy { $0[0] <= 17 }, "never more than one probe past the cap once adapted")
        let mean = Double(run.admitted.dropFirst(adapted).reduce(0, +)) / Double(400 - adapted)
        let refusedShare = Double(run.refused.dropFirst(adapted).reduce(0, +)) / Double(run.admitted.dropFirst(adapted).reduce(0, +))
        #expect(mean > 15.5, "mean \(mean) of 16 in flight")
        #expect(refusedShare < 0.02, "\(refusedShare * 100) % refused")
        let classic = Self.simulate(processes: 1, cap: 16, rounds: 400, tuning: .classicAIMD)
        let classicMean = Double(classic.admitted.dropFirst(adapted).reduce(0, +)) / Double(400 - adapted)
        #expect(classicMean < 14, "halving sawtooths well below the cap (\(classicMean)); this test would not tell them apart otherwise")
    }

    @Test(arguments: [2, 4]) func severalClientsSumToTheCapWithFew429s(processes: Int) {
        let run = Self.simulate(processes: processes, cap: 16, rounds: 600)
        let adapted = 100
        let admitted = run.admitted.dropFirst(adapted).reduce(0, +)
        let mean = Double(admitted) / Double(600 - adapted)
        let refusedShare = Double(run.refused.dropFirst(adapted).reduce(0, +)) / Double(admitted)
        #expect(mean > 14.5, "\(processes) clients: mean \(mean) of 16 in flight")
        #expect(refusedShare < 0.05, "\(processes) clients: \(refusedShare * 100) % refused")
        let sums = run.permits.dropFirst(adapted).map { $0.reduce(0, +) }
        #expect(sums.allSatisfy { $0 <= 16 + 2 * processes }, "the sum stays near the cap: up to \(sums.max() ?? 0)")
    }

    @Test func a429ReadsTwilioConcurrentRequests() {
        #expect(AccountGate.Outcome.of(HTTPResponseHead(status: 429, headers: ["twilio-concurrent-requests": "17"])) == .rateLimitedAt(accountInFlight: 17))
        #expect(AccountGate.Outcome.of(HTTPResponseHead(status: 429, headers: ["twilio-concurrent-requests": "many"])) == .rateLimited)
        #expect(AccountGate.Outcome.of(HTTPResponseHead(status: 429, headers: [:])) == .rateLimited)
        #expect(AccountGate.Outcome.of(HTTPResponseHead(status: 404, headers: ["twilio-concurrent-requests": "3"])) == .succeeded)
    }

    /// The gate passes its own in-flight count with the account's: alone on the
    /// account, a 429 puts the limit just under Twilio's count.
    @Test func theGateSettlesJustUnderTheAccountsCountWhenAlone() async {
        let gate = AccountGate(limit: ConcurrencyLimit(initial: 17, maximum: 32))
        var tickets: [AccountGate.Ticket] = []
        for _ in 0..<17 { tickets.append(await gate.acquire()) }
        gate.release(tickets.removeLast(), .rateLimitedAt(accountInFlight: 17))
        #expect(gate.snapshot.permits == 16)
        for t in tickets { gate.release(t, .succeeded) }
        #expect(gate.snapshot.inFlight == 0)
        #expect(gate.snapshot.permits == 16, "one window at the plateau only probes")
    }

    @Test func theGateNeverAdmitsMoreThanItsPermits() async {
        let gate = AccountGate(limit: ConcurrencyLimit(initial: 3, maximum: 3))
        final class Peak: Sendable {
            let counts = Mutex((now: 0, max: 0))
            func withLock<T>(_ body: (inout (now: Int, max: Int)) -> T) -> T { counts.withLock { body(&$0) } }
        }
        let peak = Peak()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<40 {
                group.addTask {
                    let ticket = await gate.acquire()
                    peak.withLock { $0.now += 1; $0.max = max($0.max, $0.now) }
                    try? await Task.sleep(for: .milliseconds(2))
                    peak.withLock { $0.now -= 1 }
                    gate.release(ticket, .other)
                }
            }
        }
        #expect(peak.withLock { $0.max } == 3)
        #expect(gate.snapshot.inFlight == 0)
    }

    /// A backlog against an account capped at 6 concurrent requests: the gate
    /// finds the cap, and once it has, 429s are rare probes, not a flood.
    @Test func aBacklogAdaptsToTheAccountsCap() async throws {
        let h = try await SimulatorHarness.start(calls: 80, latencyMs: 20, maxConcurrent: 6)
        defer { Task { await h.stop() } }
        _ = try await h.sync()
        let sids = h.simulator.recordings().filter { $0.status == "completed" }.map(\.sid)
        let summary = try await h.workspace.downloadRunner(retry: SimulatorHarness.fastRetry, maxConcurrency: 32)
            .run(sids, options: .init(concurrency: 32, wait: 30))
        #expect(summary.byState[.downloaded] == sids.count)
        let media = h.simulator.requests().filter(\.isMedia)
        let refused = media.filter { $0.status == 429 }
        let secondHalf = media.suffix(media.count / 2)
        let lateShare = Double(secondHalf.filter { $0.status == 429 }.count) / Double(max(1, secondHalf.count))
        #expect(lateShare < 0.15, "\(refused.count) of \(media.count) media requests refused; \(Int(lateShare * 100)) % in the second half")
        let permits = try h.workspace.client().gate.snapshot.permits
        #expect((3...9).contains(permits), "settled at \(permits) for a cap of 6")
    }
}
