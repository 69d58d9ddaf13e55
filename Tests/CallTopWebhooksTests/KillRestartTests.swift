import CallTopCore
import CallTopSimulator
import Foundation
import Testing
@testable import CallTopWebhooks

/// The real `calltop serve`, killed with SIGKILL while deliveries are pending
/// and one is on the wire, then restarted: every (call, version) reaches the
/// receiver exactly once, and the restart does not wait out the leases of
/// the batch the killed process had claimed (60 s) to send them.
@Suite(.serialized) struct KillRestartTests {
    static let binary: URL? = {
        let candidates = [
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("calltop"),
            URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".build/debug/calltop"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    let secret = "notify-secret-kill-test"

    /// Starts serve and returns it once it printed LISTENING.
    func startServe(dataDir: URL, notifyURL: String) throws -> Process {
        let process = Process()
        process.executableURL = try #require(Self.binary)
        process.arguments = ["serve", "--port", "0", "--public-url", testPublicURL, "--notify-url", notifyURL, "--no-transcribe",
                             "--api-base-url", "http://127.0.0.1:9"]
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory(), "CALLTOP_HOME": dataDir.path,
                               "TWILIO_ACCOUNT_SID": SimulatorConfig.defaultAccountSid, "TWILIO_AUTH_TOKEN": testAuthToken,
                               "CALLTOP_NOTIFY_SECRET": secret]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Read until the first line (LISTENING <port>) on a thread of its own: the read blocks.
        let firstLine = FirstLine()
        Thread {
            var bytes = Data()
            while let chunk = try? out.fileHandleForReading.read(upToCount: 1), !chunk.isEmpty, chunk != Data("\n".utf8) { bytes += chunk }
            firstLine.set(String(decoding: bytes, as: UTF8.self))
        }.start()
        let deadline = Date().addingTimeInterval(30)
        while firstLine.value == nil && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        #expect(firstLine.value?.hasPrefix("LISTENING ") == true)
        return process
    }

    @Test func killDashNineThenRestart() async throws {
        guard Self.binary != nil else { Issue.record("calltop binary not built"); return }
        let receiver = TestReceiver(secret: secret)
        try await receiver.start()
        defer { Task { await receiver.stop() } }
        let dir = temporaryDirectory()
        // Deliveries queued before serve runs: v1 for three calls, v2 superseding call 2's.
        do {
            let workspace = try Workspace(dataDir: dir, host: TwilioHost(), credentials: nil, keepLogInMemory: true)
            let clock = FakeClock(Date().addingTimeInterval(-60))
            let settler = TranscriptSettler(store: workspace.webhookStore, clock: clock, logger: workspace.logger)
            for n in 1...3 {
                try workspace.webhookStore.applyRecordingCallback(RecordingCallbackFacts(accountSid: sid("AC", 1), callSid: sid("CA", n),
                                                                                  recordingSid: sid("RE", n), status: "absent"), now: clock.now())
                try settler.recordingFinished(callSid: sid("CA", n), recordingSid: sid("RE", n))
                try workspace.webhookStore.saveRealtimeTranscript("realtime \(n)", callSid: sid("CA", n), origin: "twilio", now: clock.now())
            }
            clock.advance(10)
            #expect(try settler.tick() == 3)
            try workspace.webhookStore.saveOfflineTranscript(offlineTranscript("offline two"), callSid: sid("CA", 2), recordingSid: sid("RE", 2), now: clock.now())
            #expect(try settler.tick() == 1)
        }

        receiver.failNext(3)       // the receiver refuses the first round,
        receiver.stallNext(1)      // then hangs on the retry
        let first = try startServe(dataDir: dir, notifyURL: receiver.url)
        #expect(await eventually(20) { receiver.stalledCount >= 1 })
        kill(first.processIdentifier, SIGKILL)   // between a claim and its mark
        first.waitUntilExit()
        #expect(receiver.received.isEmpty)

        let second = try startServe(dataDir: dir, notifyURL: receiver.url)
        #expect(await eventually(20) { receiver.received.count >= 4 })
        try? await Task.sleep(for: .seconds(1.5))   // room for any duplicate to show up
        second.terminate()
        second.waitUntilExit()

        let ids = receiver.received.map(\.deliveryId)
        #expect(ids.sorted() == ["\(sid("CA", 1)).v1", "\(sid("CA", 2)).v1", "\(sid("CA", 2)).v2", "\(sid("CA", 3)).v1"].sorted())
        #expect(receiver.received.allSatisfy { $0.signatureValid })
        let store = try Store(dataDir: dir)
        for n in 1...3 { #expect(try store.deliveries(ofCall: sid("CA", n)).allSatisfy { $0.state == .delivered }) }
    }
}

final class FirstLine: @unchecked Sendable {
    private let lock = NSLock()
    private var line: String?
    func set(_ s: String) { lock.lock(); line = s; lock.unlock() }
    var value: String? { lock.lock(); defer { lock.unlock() }; return line }
}
