import CallTopCore
import CallTopSimulator
import Foundation
import Synchronization
import Testing
@testable import CallTopWebhooks

/// A bounded burst of signed callbacks on loopback: all absorbed, none lost, none doubled.
@Suite struct BurstTests {
    @Test func twoThousandSignedCallbacks() async throws {
        let h = try await ServeHarness.start()
        defer { Task { await h.stop() } }
        let total = 2000, concurrency = 16
        let account = SimulatorConfig.defaultAccountSid
        let next = Counter()
        let failures = Counter()
        let started = Date()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    while true {
                        let i = next.take()
                        guard i < total else { return }
                        // Every 10th recording is announced twice, as Twilio's retries would.
                        let params = [("AccountSid", account), ("CallSid", sid("CA", i)), ("RecordingSid", sid("RE", i)),
                                      ("RecordingStatus", "completed"), ("RecordingDuration", "12"), ("ErrorCode", "0")]
                        for _ in 0..<(i % 10 == 0 ? 2 : 1) {
                            let status = (try? await h.sender.post("/twilio/recording-status", params).status) ?? 0
                            if status != 200 { _ = failures.take() }
                        }
                    }
                }
            }
        }
        let seconds = Date().timeIntervalSince(started)
        #expect(failures.value == 0)
        #expect(try h.store.recordingSids(inState: [.pending]).count == total)
        #expect(try h.store.callCount() == total)
        // Duplicates may be passed on while the recording is still pending; the pipeline drops those itself.
        let queued = h.work.recordingSids
        #expect(Set(queued).count == total)
        print("burst: \(total) callbacks (+\(total / 10) duplicates) in \(String(format: "%.2f", seconds)) s")
    }
}

final class Counter: Sendable {
    private let n = Mutex(0)
    /// Returns the value before incrementing.
    func take() -> Int { n.withLock { v in defer { v += 1 }; return v } }
    var value: Int { n.withLock { $0 } }
}
