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
        // ~85 s of speech: two 60 s windows, so the first progress comes while the
        // second window is still to decode.
        let long = try SpeechTestSupport.speak(Array(repeating: Self.sentence, count: 24), in: dir, name: "long")
        let short = try SpeechTestSupport.speak([Self.sentence], in: dir, name: "short")
        var config = SpeechWorker.Configuration(environment: SpeechTestSupport.environment)
        config.restartBackoff.base = 0.1
        let worker = SpeechWorker(configuration: config)
        try await worker.warmUp()
        let firstPID = try #require(await worker.workerPID)

        // Killed at its first progress: mid-transcription, however fast the machine. A
        // fixed delay once let this job finish first (28 s of audio in under 0.8 s).
        let progressSeen = Collected<Double>()
        let job = Task {
            try await worker.transcribe(TranscriptionRequest(audio: long)) { progress in
                if progressSeen.all.isEmpty { kill(firstPID, SIGKILL) }
                progressSeen.append(progress.fraction)
            }
        }

        await #expect {
            _ = try await job.value
        } throws: { error in
            guard case SpeechWorkerError.workerCrashed = error else { return false }
            return (error as? SpeechWorkerError)?.isRetryable == true
        }
        #expect(progressSeen.all.allSatisfy { $0 < 1 })

        let next = try await worker.transcribe(TranscriptionRequest(audio: short))
        #expect(next.text.lowercased().contains("tomorrow"))
        let secondPID = await worker.workerPID
        #expect(secondPID != nil && secondPID != firstPID)
        await worker.shutdown()
        let pidAfterShutdown = await worker.workerPID
        #expect(pidAfterShutdown == nil)
    }
}
