import CallTopSimulator
import Foundation
import Testing
@testable import CallTopCore

/// Sync against list pages that are rate-limited, flaky, malformed or loop.
@Suite(.serialized) struct SyncResilienceTests {
    func listRequests(_ h: SimulatorHarness) -> [RecordedRequest] {
        h.simulator.requests().filter { $0.path.hasSuffix("Calls.json") || $0.path.hasSuffix("Recordings.json") }
    }

    @Test func rateLimitedPagesAreRetriedUntilTheyPass() async throws {
        let h = try await SimulatorHarness.start(["pages_rate_limited=3"])
        defer { Task { await h.stop() } }
        let report = try await h.sync()
        #expect(report.calls == 6 && report.recordings == h.simulator.recordings().count)
        #expect(listRequests(h).filter { $0.status == 429 }.count == 3)
    }

    @Test func aSyncThatFailsMidRunGoesOnFromTheFailedPage() async throws {
        // Three attempts per request; the four requests after the first page fail.
        let h = try await SimulatorHarness.start(["pages_flaky=4"], requestRetry: RequestRetry(schedule: RetrySchedule(base: 0.01, cap: 0.02, maxAttempts: 3)))
        defer { Task { await h.stop() } }
        let options = SyncService.Options(pageSize: 2)
        await #expect(throws: SyncService.Failure.self) { try await h.sync(options) }
        #expect(try h.store.callCount() == 2)
        #expect(try h.store.syncCursor("last_sync")?.pageURI.contains("PageToken") == true)
        let report = try await h.sync(options)
        #expect(report.resumedFrom?.contains("PageToken") == true)
        #expect(try h.store.callCount() == 6)
        #expect(try h.store.syncCursor("last_sync") == nil)
        // The first page was read once: the second run started where the first stopped.
        let firstPages = listRequests(h).filter { $0.path.hasSuffix("Calls.json") && !($0.query ?? "").contains("PageToken") }
        #expect(firstPages.count == 1)
    }

    @Test func anUnreadableItemIsSetAsideAndTheRestOfThePageKept() async throws {
        let h = try await SimulatorHarness.start(["page_malformed"])
        defer { Task { await h.stop() } }
        let report = try await h.sync()
        #expect(report.rejected == 1)
        #expect(report.recordings == h.simulator.recordings().count)
        let rejects = try h.store.syncRejects()
        #expect(rejects.count == 1 && rejects[0].sid == "RE-not-a-sid" && rejects[0].reason.contains("SID"))
    }

    @Test func loopingPagesAreDetected() async throws {
        let h = try await SimulatorHarness.start(["page_loop"])
        defer { Task { await h.stop() } }
        do {
            _ = try await h.sync(.init(pageSize: 2))
            Issue.record("a looping sync finished")
        } catch {
            #expect("\(error)".contains("leads back to a page already read"))
        }
    }

    @Test func aRunReadsNoMoreThanItsPageCap() async throws {
        let h = try await SimulatorHarness.start()
        defer { Task { await h.stop() } }
        do {
            _ = try await h.sync(.init(pageSize: 1, maxPages: 3))
            Issue.record("the page cap did not stop the sync")
        } catch {
            #expect("\(error)".contains("more than 3 list pages"))
            #expect(listRequests(h).count == 3)
        }
    }
}

@Suite struct RequestRetryTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let retry = RequestRetry(schedule: RetrySchedule(base: 1, cap: 60, maxAttempts: 8))

    func http(_ status: Int) -> TwilioError { .http(status: status, code: nil, message: nil, host: "api.twilio.com") }

    @Test func repeatsOnlyWhatTwilioSaysIsWorthRepeating() {
        #expect(retry.verdict(for: http(429), retryAfter: nil, failures: 1, unit: 0.5, now: now) == .retry(after: 0.5))
        #expect(retry.verdict(for: http(503), retryAfter: nil, failures: 3, unit: 0.5, now: now) == .retry(after: 2))
        #expect(retry.verdict(for: .transport(.network("reset"), host: "h"), retryAfter: nil, failures: 1, unit: 1, now: now) == .retry(after: 1))
        for status in [400, 401, 403, 404] { #expect(retry.verdict(for: http(status), retryAfter: nil, failures: 1, unit: 0, now: now) == .giveUp) }
        #expect(retry.verdict(for: .transport(.badURL("x"), host: "h"), retryAfter: nil, failures: 1, unit: 0, now: now) == .giveUp)
        #expect(retry.verdict(for: .decoding("x"), retryAfter: nil, failures: 1, unit: 0, now: now) == .giveUp)
        #expect(retry.verdict(for: http(429), retryAfter: nil, failures: 8, unit: 0, now: now) == .giveUp)
    }

    @Test func honoursRetryAfterUpToTheCap() {
        #expect(retry.verdict(for: http(429), retryAfter: "7", failures: 1, unit: 0, now: now) == .retry(after: 7))
        #expect(retry.verdict(for: http(429), retryAfter: "86400", failures: 1, unit: 0, now: now) == .retry(after: 60))
        let date = RFC2822Date.format(now.addingTimeInterval(12)).replacingOccurrences(of: "+0000", with: "GMT")
        #expect(retry.verdict(for: http(503), retryAfter: date, failures: 1, unit: 0, now: now) == .retry(after: 12))
        #expect(retry.verdict(for: http(503), retryAfter: "soon", failures: 2, unit: 0.25, now: now) == .retry(after: 0.5))
    }
}
