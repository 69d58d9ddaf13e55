import CallTopSimulator
import Foundation
import GRDB
import Testing
@testable import CallTopCore

/// The whole offline path against the simulator and the real worker: sync,
/// download on demand, transcribe, store with provenance, choose by policy.
@Suite(.serialized, .enabled(if: SpeechTestSupport.venvPresent, "speech venv absent: run `make setup`"))
struct TranscriptionServiceTests {
    @Test func transcribesACallAndTheOfflineTranscriptWins() async throws {
        let h = try await SimulatorHarness.start()
        defer { Task { await h.stop() } }
        _ = try await h.sync()
        let r = try #require(h.simulator.recordings().first { $0.channels == 1 && $0.status == "completed" })
        try h.store.saveRealtimeTranscript("something the realtime engine heard", callSid: r.callSid, origin: "import", now: Date())
        #expect(try h.store.authoritativeTranscript(r.callSid)?.reason == "offline pending → realtime")

        let service = h.workspace.transcriptionService(speech: SpeechTestSupport.environment)
        defer { Task { await service.worker.shutdown() } }
        // Not downloaded yet: the service downloads first.
        let t = try await service.transcribe(callSid: r.callSid)
        #expect(try h.store.recording(r.sid)?.downloadState == .downloaded)
        let wer = WordDistance.errorRate(reference: r.transcript, hypothesis: t.text, .spokenNumbers)
        #expect(wer < 0.35, "WER \(wer): \(t.text) vs \(r.transcript)")

        let choice = try #require(try h.store.authoritativeTranscript(r.callSid))
        #expect(choice.source == .offline && choice.reason == "offline")
        let stored = try #require(try h.store.offlineTranscript(r.callSid))
        #expect(stored.transcript.audioSHA256 == r.mp3SHA256)
        #expect(stored.transcript.modelSHA256 == "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9")
        #expect(stored.recordingSid == r.sid)
        let row = try #require(try h.store.callRow(r.callSid))
        #expect(row.transcriptSource == .offline && row.transcriptChars == t.text.trimmingCharacters(in: .whitespaces).count)
        #expect(h.workspace.logSink.lines().contains("[OFFLINE_STT] Transcript obtained: \(row.transcriptChars) chars for \(r.callSid)"))
    }

    @Test func aKilledWorkerLeavesThePreviousTranscriptAndTheJobRetryable() async throws {
        let h = try await SimulatorHarness.start()
        defer { Task { await h.stop() } }
        _ = try await h.sync()
        let r = try #require(h.simulator.recordings().first { $0.channels == 1 && $0.status == "completed" })
        let service = h.workspace.transcriptionService(speech: SpeechTestSupport.environment)
        defer { Task { await service.worker.shutdown() } }
        let first = try await service.transcribe(callSid: r.callSid)

        let job = Task { try await service.transcribe(callSid: r.callSid) }
        // Kill the worker as soon as the second job runs.
        let deadline = Date().addingTimeInterval(30)
        while (try? h.store.offlineState(r.callSid)) != nil, Date() < deadline {
            if try isRunning(h, r.callSid), let pid = await service.worker.workerPID {
                kill(pid, SIGKILL)
                break
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        await #expect(throws: TranscriptionService.Failure.self) { try await job.value }
        let kept = try #require(try h.store.offlineTranscript(r.callSid))
        #expect(kept.transcript.text == first.text)
        #expect(try h.store.authoritativeTranscript(r.callSid)?.source == .offline)
        // Retryable: the worker restarts and the same job succeeds.
        let again = try await service.transcribe(callSid: r.callSid)
        #expect(again.text == first.text)
    }

    private func isRunning(_ h: SimulatorHarness, _ callSid: String) throws -> Bool {
        try h.store.db.read { db in
            try String.fetchOne(db, sql: "SELECT state FROM transcription_jobs WHERE call_sid = ?", arguments: [callSid])
        } == "running"
    }
}
