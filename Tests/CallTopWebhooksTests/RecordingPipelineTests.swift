import CallTopCore
import CallTopSimulator
import Foundation
import Testing
@testable import CallTopWebhooks

/// serve's download-then-transcribe queue, alone.
@Suite struct RecordingPipelineTests {
    /// What serve's drain does when its time runs out: a download still waiting for Twilio
    /// (not ready, inside a 60 s window) ends at once instead of holding the process.
    @Test func cancellingEndsJobsThatWaitForTwilio() async throws {
        let simulator = TwilioSimulator(config: SimulatorConfig(callCount: 8, scenarios: [try ScenarioRule.parse("not_ready=1000@0")]))
        _ = try await simulator.start()
        defer { Task { await simulator.stop() } }
        let config = simulator.config
        let workspace = try Workspace(dataDir: temporaryDirectory(), host: try TwilioHost(apiBaseURL: simulator.baseURL),
                                      credentials: try Credentials(accountSid: config.accountSid, authToken: config.authToken),
                                      keepLogInMemory: true)
        let pipeline = RecordingPipeline(
            store: workspace.webhookStore,
            runner: try workspace.downloadRunner(notReady: NotReadySchedule(delays: [0.05], window: 60)),
            client: try workspace.client(), transcriber: nil, retryWindow: 60, logger: workspace.logger)
        let (waiting, other) = (simulator.recordings()[0], simulator.recordings()[1])
        for r in [waiting, other] {  // what the receiver stores before it queues the work
            try workspace.webhookStore.applyRecordingCallback(
                RecordingCallbackFacts(accountSid: config.accountSid, callSid: r.callSid, recordingSid: r.sid, status: "completed"), now: Date())
        }
        pipeline.recordingCompleted(callSid: waiting.callSid, recordingSid: waiting.sid)
        #expect(await eventually(10) { (try? workspace.store.recording(waiting.sid))?.downloadState == .notReady })

        let started = Date()
        await pipeline.cancelRunning()
        await pipeline.waitUntilIdle()
        #expect(Date().timeIntervalSince(started) < 5, "the job kept waiting for \(Date().timeIntervalSince(started)) s")
        #expect(try workspace.store.recording(waiting.sid)?.downloadState == .notReady, "left for the next start to pick up")

        // Callbacks taken after it stops accepting are dropped: the next start queues them from the store.
        await pipeline.stopAccepting()
        pipeline.recordingCompleted(callSid: other.callSid, recordingSid: other.sid)
        try await Task.sleep(for: .milliseconds(300))
        await pipeline.waitUntilIdle()
        #expect(try workspace.store.recording(other.sid)?.downloadState == .pending)
    }
}
