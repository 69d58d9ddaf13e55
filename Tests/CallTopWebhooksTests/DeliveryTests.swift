import CallTopCore
import CallTopSimulator
import Foundation
import Logging
import Synchronization
import Testing
@testable import CallTopWebhooks

/// The outbox against a real receiver on 127.0.0.1.
@Suite(.serialized) struct DeliveryTests {
    let secret = "notify-secret-for-tests"

    /// Queues v1 (realtime fallback) for calls 1…3 and v2 (offline) for call 2.
    func seed(_ store: any WebhookStore, clock: FakeClock, logger: Logger) throws {
        let settler = TranscriptSettler(store: store, clock: clock, logger: logger)
        for n in 1...3 {
            try store.applyRecordingCallback(RecordingCallbackFacts(accountSid: sid("AC", 1), callSid: sid("CA", n), recordingSid: sid("RE", n),
                                                                    status: "completed"), now: clock.now())
            try settler.recordingFinished(callSid: sid("CA", n), recordingSid: sid("RE", n))
            try store.saveRealtimeTranscript("realtime \(n)", callSid: sid("CA", n), origin: "twilio", now: clock.now())
        }
        clock.advance(10)
        #expect(try settler.tick() == 3)
        try store.saveOfflineTranscript(offlineTranscript("offline two"), callSid: sid("CA", 2), recordingSid: sid("RE", 2), now: clock.now())
        #expect(try settler.tick() == 1)
    }

    @Test func restartWithDeliveriesPendingDeliversEachVersionExactlyOnce() async throws {
        let receiver = TestReceiver(secret: secret)
        try await receiver.start()
        defer { Task { await receiver.stop() } }
        let dir = temporaryDirectory()
        let clock = FakeClock()
        let fastRetry = RetrySchedule(base: 1, cap: 4, maxAttempts: .max)

        // First life: the receiver is down (503) for the first three tries; then the process "dies".
        do {
            let workspace = try Workspace(dataDir: dir, host: TwilioHost(), credentials: nil, keepLogInMemory: true)
            try seed(workspace.webhookStore, clock: clock, logger: workspace.logger)
            receiver.failNext(3)
            let outbox = OutboxSender(store: workspace.webhookStore, url: receiver.url, secret: secret, clock: clock, retry: fastRetry,
                                      random: { 0.5 }, logger: workspace.logger)
            #expect(await outbox.tick() == 0)   // 3 refused; call 2's v2 waits behind its v1
            #expect(receiver.refusedCount == 3)
            #expect(workspace.logSink.lines().contains { $0.contains("failed (HTTP 503)") })
            #expect(!workspace.logSink.lines().contains { $0.contains(secret) || $0.contains(receiver.url) })
            #expect(try workspace.webhookStore.deliveryStatus(sid("CA", 1)) == .failing(version: 1, attempts: 1, lastError: "HTTP 503"))
        }

        // Second life: a new store on the same files, a new sender.
        let workspace = try Workspace(dataDir: dir, host: TwilioHost(), credentials: nil, keepLogInMemory: true)
        let changed = Mutex<[String]>([])
        let outbox = OutboxSender(store: workspace.webhookStore, url: receiver.url, secret: secret, clock: clock, retry: fastRetry,
                                  random: { 0.5 }, logger: workspace.logger) { callSid in changed.withLock { $0.append(callSid) } }
        #expect(await outbox.tick() == 0)       // not due yet: backoff survives the restart
        #expect(changed.withLock { $0 }.isEmpty)
        for _ in 0..<10 {
            clock.advance(2)
            await outbox.tick()
        }
        // Each recorded delivery told the dashboard which call changed (call 2 twice: v1, then v2).
        #expect(changed.withLock { $0 }.sorted() == [sid("CA", 1), sid("CA", 2), sid("CA", 2), sid("CA", 3)].sorted())
        // Third life: nothing is sent again.
        let again = OutboxSender(store: try Store(dataDir: dir), url: receiver.url, secret: secret, clock: clock, logger: workspace.logger)
        clock.advance(3600)
        #expect(await again.tick() == 0)

        let ids = receiver.received.map(\.deliveryId)
        #expect(ids.sorted() == ["\(sid("CA", 1)).v1", "\(sid("CA", 2)).v1", "\(sid("CA", 2)).v2", "\(sid("CA", 3)).v1"].sorted())
        #expect(receiver.received.allSatisfy { $0.signatureValid })
        let call2 = receiver.received.filter { $0.document["call_sid"] == sid("CA", 2) }
        #expect(call2.map { $0.document["version"] } == ["1", "2"])
        #expect(call2.last?.document["supersedes"] == "1")
        #expect(call2.last?.document["source"] == "offline")
        for n in 1...3 { #expect(try workspace.webhookStore.deliveries(ofCall: sid("CA", n)).allSatisfy { $0.state == .delivered }) }
        #expect(try workspace.webhookStore.deliveryStatus(sid("CA", 2)) == .delivered(version: 2))
    }

    @Test func wholeFlowThroughServeWithTheSimulator() async throws {
        // Twilio (the simulator) holds the recordings; serve hears about them through signed callbacks.
        let simulator = TwilioSimulator(config: SimulatorConfig(callCount: 3))
        _ = try await simulator.start()
        defer { Task { await simulator.stop() } }
        let receiver = TestReceiver(secret: secret)
        try await receiver.start()
        defer { Task { await receiver.stop() } }

        let config = simulator.config
        let workspace = try Workspace(dataDir: temporaryDirectory(), host: try TwilioHost(apiBaseURL: simulator.baseURL),
                                      credentials: try Credentials(accountSid: config.accountSid, authToken: config.authToken),
                                      keepLogInMemory: true)
        let store = workspace.webhookStore
        let clock = FakeClock(Date())
        let settler = TranscriptSettler(store: store, clock: clock, logger: workspace.logger)
        let outbox = OutboxSender(store: store, url: receiver.url, secret: secret, clock: clock, logger: workspace.logger)
        let pipeline = RecordingPipeline(
            store: store, runner: try workspace.downloadRunner(retry: RetrySchedule(base: 0.01, cap: 0.05), notReady: NotReadySchedule(delays: [0.05], window: 30)),
            client: try workspace.client(), transcriber: FakeTranscriber(store: store) { _ in simulator.recordings()[0].transcript },
            logger: workspace.logger)
        let receiverConfig = WebhookReceiver.Configuration(publicURL: testPublicURL, authToken: config.authToken, ingestToken: nil)
        let server = WebhookServer(receiver: WebhookReceiver(configuration: receiverConfig, store: store, clock: clock, work: pipeline,
                                                             settler: settler, logger: workspace.logger),
                                   settler: settler, outbox: outbox, port: 0, logger: workspace.logger)
        let port = try await server.start(runLoop: false)
        defer { Task { await server.stop() } }

        let recording = simulator.recordings()[0]
        let sender = CallbackSender(serveURL: "http://127.0.0.1:\(port)", publicURL: testPublicURL, authToken: config.authToken)
        let replies = try await sender.playCall(recording)
        #expect(replies.allSatisfy { $0.status == 200 })

        // The download then the transcription happen at once, without a sync.
        #expect(await eventually(30) { (try? store.offlineTranscript(recording.callSid)) != nil })
        let saved = try #require(try store.recording(recording.sid))
        #expect(saved.downloadState == .downloaded)
        #expect(saved.sha256 == recording.mp3SHA256)
        #expect(try store.callRow(recording.callSid)?.callStatus == "completed")   // the call was fetched too
        #expect(try store.realtimeTranscript(recording.callSid)?.origin == "twilio")

        #expect(try settler.tick() == 1)
        #expect(await outbox.tick() == 1)
        let doc = try #require(receiver.received.first?.document)
        #expect(doc["source"] == "offline")
        #expect(doc["recording_sid"] == recording.sid)
        #expect(doc["audio_sha256"] == String(repeating: "ab", count: 32))
        #expect(doc["suspect"] == "0")
        #expect(workspace.logSink.lines().contains("[WEBHOOK] Using OFFLINE transcript (len=\(recording.transcript.trimmingCharacters(in: .whitespaces).count))"))
        #expect(!workspace.logSink.lines().contains { $0.contains(config.authToken) })
    }
}
