import Foundation
import Testing
@testable import CallTopCore

/// Transcribes synthesised speech through the real Python worker. Runs
/// whenever the venv exists (`make test` installs it first).
@Suite("SpeechWorker integration", .serialized, .enabled(if: SpeechTestSupport.venvPresent, "\(SpeechTestSupport.skipMessage)"))
struct TranscriptionWorkerIntegrationTests {
    static let sentence = "Please call me back tomorrow morning about my order."

    @Test func transcribesSynthesisedSpeechWithProvenance() async throws {
        let dir = try SpeechTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let clip = try SpeechTestSupport.speak([Self.sentence], in: dir, name: "clip")
        let worker = SpeechWorker(configuration: .init(environment: SpeechTestSupport.environment))
        let progress = Collected<TranscriptionProgress>()
        let transcript = try await worker.transcribe(TranscriptionRequest(audio: clip)) { progress.append($0) }
        await worker.shutdown()

        let words = transcript.text.lowercased()
        for word in ["call", "back", "tomorrow", "morning", "order"] {
            #expect(words.contains(word), "missing \(word) in \(transcript.text)")
        }
        #expect(transcript.model == "base")
        #expect(transcript.modelSHA256 == "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9")
        let clipSHA = try SpeechWorker.sha256(of: clip)
        #expect(transcript.audioSHA256 == clipSHA)
        #expect(transcript.audioSHA256.count == 64)
        #expect(transcript.audioSeconds > 2 && transcript.audioSeconds < 10)
        #expect(transcript.processingSeconds > 0)
        #expect(transcript.settingsJSON.contains("\"compute_type\":\"int8\""))
        #expect(!transcript.segments.isEmpty)
        #expect(!progress.all.isEmpty)
    }

    @Test func missingFileIsATypedError() async throws {
        let worker = SpeechWorker(configuration: .init(environment: SpeechTestSupport.environment))
        await #expect(throws: SpeechWorkerError.self) {
            _ = try await worker.transcribe(TranscriptionRequest(audio: URL(fileURLWithPath: "/nonexistent/x.mp3")))
        }
        await worker.shutdown()
    }

    @Test func killedWorkerFailsTheJobAndTheNextOneSucceeds() async throws {
        let dir = try SpeechTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Long enough (~25 s of speech) that the kill lands mid-job.
        let long = try SpeechTestSupport.speak(Array(repeating: Self.sentence, count: 8), in: dir, name: "long")
        let short = try SpeechTestSupport.speak([Self.sentence], in: dir, name: "short")
        var config = SpeechWorker.Configuration(environment: SpeechTestSupport.environment)
        config.restartBackoff.base = 0.1
        let worker = SpeechWorker(configuration: config)
        try await worker.warmUp()
        let firstPID = try #require(await worker.workerPID)

        let job = Task { try await worker.transcribe(TranscriptionRequest(audio: long)) }
        // Wait until the job is with the worker, then kill it mid-transcription.
        for _ in 0..<100 where await worker.queuedJobs == 0 { try await Task.sleep(for: .milliseconds(20)) }
        try await Task.sleep(for: .milliseconds(800))
        kill(firstPID, SIGKILL)

        await #expect {
            _ = try await job.value
        } throws: { error in
            guard case SpeechWorkerError.workerCrashed = error else { return false }
            return (error as? SpeechWorkerError)?.isRetryable == true
        }

        let next = try await worker.transcribe(TranscriptionRequest(audio: short))
        #expect(next.text.lowercased().contains("tomorrow"))
        let secondPID = await worker.workerPID
        #expect(secondPID != nil && secondPID != firstPID)
        await worker.shutdown()
        let pidAfterShutdown = await worker.workerPID
        #expect(pidAfterShutdown == nil)
    }
}
