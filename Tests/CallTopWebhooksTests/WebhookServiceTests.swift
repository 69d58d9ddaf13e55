import CallTopCore
import CallTopSimulator
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing
@testable import CallTopWebhooks

/// A value closures share (a `Mutex` cannot be captured by an escaping closure).
final class Shared<Value: Sendable>: Sendable {
    private let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
    func callAsFunction<R: Sendable>(_ body: (inout Value) -> R) -> R { value.withLock { body(&$0) } }
}

/// serve's start-up recovery and its life as a `Service`, in-process.
@Suite struct WebhookServiceTests {
    func workspace() throws -> Workspace {
        try Workspace(dataDir: temporaryDirectory(), host: TwilioHost(),
                      credentials: Credentials(accountSid: sid("AC", 1), authToken: testAuthToken), keepLogInMemory: true)
    }

    func completed(_ n: Int, in store: any WebhookStore) throws {
        try store.applyRecordingCallback(RecordingCallbackFacts(accountSid: sid("AC", 1), callSid: sid("CA", n), recordingSid: sid("RE", n),
                                                                status: "completed"), now: Date())
        try TranscriptSettler(store: store, logger: Logger(label: "test")).recordingFinished(callSid: sid("CA", n), recordingSid: sid("RE", n))
    }

    @Test func recordingsLeftUnsettledAreQueuedAgainAndOthersAreNot() throws {
        let store = try workspace().webhookStore
        try completed(1, in: store)
        try completed(2, in: store)
        // Twilio then says the second one is absent: nothing left to fetch.
        try store.applyRecordingCallback(RecordingCallbackFacts(accountSid: sid("AC", 1), callSid: sid("CA", 2), recordingSid: sid("RE", 2),
                                                                status: "absent"), now: Date())
        let work = RecordingWorkLog()
        #expect(try ServeRecovery.requeueUnsettled(store, into: work) == 1)
        #expect(work.recordingSids == [sid("RE", 1)])
    }

    @Test func nothingToRecoverQueuesNothing() throws {
        let store = try workspace().webhookStore
        let work = RecordingWorkLog()
        try ServeRecovery.reclaim(store, crossChecker: TranscriptSettler(store: store, logger: Logger(label: "test")), now: Date())
        #expect(try ServeRecovery.requeueUnsettled(store, into: work) == 0)
        #expect(work.recordingSids.isEmpty)
    }

    @Test func aShutdownReasonDrainsAndSaysSo() async throws {
        let workspace = try workspace()
        let service = try await WebhookService.start(
            WebhookServiceSettings(port: 0, publicURL: testPublicURL, authToken: testAuthToken, transcribe: false, drainTimeout: 5),
            workspace: workspace)
        #expect(service.port > 0)
        let heard = Shared<[String]>([])
        let clean = try await service.serve(until: { "SIGTERM" }) { reason in heard { $0.append(reason) } }
        #expect(clean == true)
        #expect(heard { $0 } == ["SIGTERM"])
        let lines = workspace.logSink.lines()
        #expect(lines.contains("[WEBHOOK] SIGTERM: draining (up to 5.0 s)"))
        #expect(lines.contains("[WEBHOOK] serve stopped: all running work finished"))
    }

    @Test func inAServiceGroupGracefulShutdownDrains() async throws {
        let workspace = try workspace()
        let service = try await WebhookService.start(
            WebhookServiceSettings(port: 0, publicURL: testPublicURL, authToken: testAuthToken, transcribe: false, drainTimeout: 5),
            workspace: workspace)
        let sender = CallbackSender(serveURL: "http://127.0.0.1:\(service.port)", publicURL: testPublicURL, authToken: testAuthToken)
        let group = ServiceGroup(configuration: .init(services: [service], logger: Logger(label: "test")))
        let running = Task { try await group.run() }
        #expect(try await sender.post("/healthz-not-a-route", []).status == 404)
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(workspace.logSink.lines().contains("[WEBHOOK] graceful shutdown: draining (up to 5.0 s)"))
        await #expect(throws: (any Error).self) { try await sender.post("/twilio/recording-status", []) }
    }
}
