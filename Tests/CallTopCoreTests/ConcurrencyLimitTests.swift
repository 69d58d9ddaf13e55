import CallTopSimulator
import Foundation
import Synchronization
import Testing
@testable import CallTopCore

@Suite struct ConcurrencyLimitTests {
    @Test func growsByOnePerWindowAndHalvesOncePerBurst() {
        var limit = ConcurrencyLimit(initial: 4, maximum: 32)
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
