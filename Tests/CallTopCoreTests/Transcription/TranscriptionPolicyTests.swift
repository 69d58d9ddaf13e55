import Testing
@testable import CallTopCore

/// The policy table of DESIGN.md / issue 5, row by row.
@Suite("TranscriptPolicy")
struct TranscriptionPolicyTests {
    struct Row: Sendable, CustomTestStringConvertible {
        let offline: OfflineTranscriptState
        let realtime: String?
        let text: String
        let source: TranscriptSource
        let reason: String
        var testDescription: String { "\(offline) + realtime \(realtime ?? "nil") → \(reason)" }
    }

    static let rows: [Row] = [
        // Any non-empty offline transcript wins, whatever the realtime one says.
        Row(offline: .done(text: "Hello there."), realtime: "hello their", text: "Hello there.", source: .offline, reason: "offline"),
        Row(offline: .done(text: "Hello there."), realtime: nil, text: "Hello there.", source: .offline, reason: "offline"),
        // No minimum length; surrounding whitespace trimmed.
        Row(offline: .done(text: "  ok \n"), realtime: "okay then", text: "ok", source: .offline, reason: "offline"),
        Row(offline: .pending, realtime: "rt text", text: "rt text", source: .realtime, reason: "offline pending → realtime"),
        Row(offline: .running, realtime: "rt text", text: "rt text", source: .realtime, reason: "offline pending → realtime"),
        Row(offline: .failed(reason: "worker crashed"), realtime: "rt text", text: "rt text", source: .realtime,
            reason: "offline failed: worker crashed → realtime"),
        Row(offline: .empty, realtime: "rt text", text: "rt text", source: .realtime, reason: "offline empty (no speech) → realtime"),
        // Whitespace-only offline text is an empty transcript, not a winner.
        Row(offline: .done(text: " \n\t"), realtime: "rt text", text: "rt text", source: .realtime,
            reason: "offline empty (no speech) → realtime"),
        Row(offline: .noRecording, realtime: "rt text", text: "rt text", source: .realtime, reason: "no recording → realtime"),
        Row(offline: .noRecording, realtime: nil, text: "", source: .none, reason: "none available"),
        Row(offline: .noRecording, realtime: "   ", text: "", source: .none, reason: "none available"),
        // No realtime transcript: say why there is no offline one.
        Row(offline: .pending, realtime: nil, text: "", source: .none, reason: "offline pending"),
        Row(offline: .running, realtime: nil, text: "", source: .none, reason: "offline pending"),
        Row(offline: .failed(reason: "audio unreadable"), realtime: nil, text: "", source: .none,
            reason: "offline failed: audio unreadable"),
        Row(offline: .empty, realtime: nil, text: "", source: .none, reason: "offline empty (no speech)"),
        Row(offline: .empty, realtime: "", text: "", source: .none, reason: "offline empty (no speech)"),
    ]

    @Test("policy table", arguments: rows)
    func table(row: Row) {
        let choice = TranscriptPolicy.choose(offline: row.offline, realtime: row.realtime)
        #expect(choice == TranscriptChoice(text: row.text, source: row.source, reason: row.reason))
    }

    @Test func offlineTranscriptMapsToPolicyState() {
        let empty = OfflineTranscript(text: " ", segments: [], language: "en", audioSHA256: "a", model: "base",
                                      modelSHA256: "m", settingsJSON: "{}", audioSeconds: 3, processingSeconds: 1)
        #expect(empty.state == .empty)
        let done = OfflineTranscript(text: "hi", segments: [], language: "en", audioSHA256: "a", model: "base",
                                     modelSHA256: "m", settingsJSON: "{}", audioSeconds: 4, processingSeconds: 1)
        #expect(done.state == .done(text: "hi"))
        #expect(done.realTimeFactor == 0.25)
    }

    @Test func failureReasonsFeedThePolicy() {
        let choice = TranscriptPolicy.choose(offline: .failed(reason: SpeechWorkerError.workerCrashed("x").policyReason),
                                             realtime: "rt")
        #expect(choice.reason == "offline failed: worker crashed → realtime")
        #expect(SpeechWorkerError.notInstalled("no venv").description.contains("make setup"))
        #expect(SpeechWorkerError.modelMissing("base").description.contains("make setup"))
    }
}
