import CallTopTestSupport
import Foundation
import Synchronization
import Testing
@testable import CallTopCore

/// A value closures share (a `Mutex` cannot be captured by an escaping closure).
final class Shared<Value: Sendable>: Sendable {
    private let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
    func callAsFunction<R: Sendable>(_ body: (inout Value) -> R) -> R { value.withLock { body(&$0) } }
}

/// The dashboard's background services, without Twilio, a speech engine or a terminal.
@Suite struct BackgroundServicesTests {
    /// Waits up to two seconds for `condition`.
    func eventually(_ condition: () -> Bool) async -> Bool {
        await waitFor(2, every: .milliseconds(10), condition)
    }

    @Test func downloadsWhatIsDueAndLooksAgainWhenNothingIs() async {
        let due = Shared<[[String]]>([[], [], ["RE1", "RE2"], [], ["RE3"]])
        let batches = Shared<[[String]]>([])
        let downloads = BackgroundDownloads(idleInterval: .milliseconds(5), due: {
            due { $0.isEmpty ? [] : $0.removeFirst() }
        }, download: { sids in batches { $0.append(sids) } })
        downloads.start()
        downloads.start()  // a second start does not run a second loop
        #expect(await eventually { batches { $0.count } == 2 })
        downloads.stop()
        #expect(batches { $0 } == [["RE1", "RE2"], ["RE3"]])
    }

    @Test func stoppedDownloadsAskForNothingMore() async throws {
        let looks = Shared(0)
        let downloads = BackgroundDownloads(idleInterval: .milliseconds(5), due: { looks { $0 += 1 }; return [] },
                                            download: { _ in })
        downloads.start()
        #expect(await eventually { looks { $0 } > 0 })
        downloads.stop()
        try await Task.sleep(for: .milliseconds(30))
        let after = looks { $0 }
        try await Task.sleep(for: .milliseconds(50))
        #expect(looks { $0 } == after)
    }

    @Test func aNewStampIsOneChangeAndTheSameStampIsNone() {
        var changes = ChangeDetector("10:1.0")
        let seen = ["10:1.0", "20:2.0", "20:2.0", "10:1.0"].map { changes.changed($0) }
        #expect(seen == [false, true, false, true])
        #expect(changes.last == "10:1.0")
    }

    @Test func manyWritesBetweenTwoLooksAreOneChange() async throws {
        let stamp = Shared(0)
        let seen = Shared(0)
        let watcher = StoreWatcher(interval: .milliseconds(40), stamp: { "\(stamp { $0 })" }) { seen { $0 += 1 } }
        watcher.start()
        try await Task.sleep(for: .milliseconds(10))
        for _ in 0..<5 { stamp { $0 += 1 } }  // a burst of writes within one interval
        #expect(await eventually { seen { $0 } == 1 })
        try await Task.sleep(for: .milliseconds(100))
        #expect(seen { $0 } == 1)   // no write since: no change
        watcher.stop()
    }

    @Test func theStoreWatcherSeesAnotherConnectionWrite() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("calltop-watch-\(UUID().uuidString.prefix(8))")
        let workspace = try Workspace(dataDir: dir, host: TwilioHost(), credentials: nil, keepLogInMemory: true)
        let seen = Shared(0)
        let watcher = StoreWatcher(store: workspace.store, interval: .milliseconds(20)) { seen { $0 += 1 } }
        watcher.start()
        try await Task.sleep(for: .milliseconds(50))
        #expect(seen { $0 } == 0)
        try Store(dataDir: dir).saveRealtimeTranscript("hello", callSid: "CA" + String(repeating: "0", count: 32), origin: "test", now: Date())
        #expect(await eventually { seen { $0 } >= 1 })
        watcher.stop()
    }

    @Test func transcriptionsRunInOrderAndReportOnTheBus() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("calltop-queue-\(UUID().uuidString.prefix(8))")
        let workspace = try Workspace(dataDir: dir, host: TwilioHost(), credentials: nil, keepLogInMemory: true)
        let events = workspace.bus.stream()
        let order = Shared<[String]>([])
        struct Broken: Error, CustomStringConvertible { var description: String { "no audio" } }
        let queue = TranscriptionQueue(store: workspace.store, bus: workspace.bus) { call in
            order { $0.append(call) }
            if call.hasPrefix("CA2") { throw Broken() }
            return OfflineTranscript(text: call.hasPrefix("CA1") ? "hello there" : " ", segments: [], language: "en",
                                     audioSHA256: "", model: "base", modelSHA256: "", settingsJSON: "{}", audioSeconds: 1, processingSeconds: 1)
        }
        let calls = ["CA1" + String(repeating: "a", count: 31), "CA2" + String(repeating: "b", count: 31), "CA3" + String(repeating: "c", count: 31)]
        await queue.enqueue(calls).value
        #expect(order { $0 } == calls)
        var messages: [String] = []
        var changed: [String] = []
        for await event in events {
            switch event {
            case let .message(text, isError): messages.append((isError ? "! " : "") + text)
            case let .callChanged(callSid): changed.append(callSid)
            default: break
            }
            if messages.count == 4 { break }
        }
        #expect(changed == calls)
        #expect(messages == ["transcribing 3 call(s)", "CA1aaaaaaaaa…: 11 chars offline",
                             "! CA2bbbbbbbbb…: transcription failed: no audio", "CA3ccccccccc…: no speech offline"])
    }
}
