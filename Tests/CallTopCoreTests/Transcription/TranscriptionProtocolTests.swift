import Foundation
import Testing
@testable import CallTopCore

@Suite("Speech worker protocol and environment")
struct TranscriptionProtocolTests {
    @Test func parsesResultWithSettingsAsSortedJSON() throws {
        let line = #"{"id": "job-1", "type": "result", "text": "Hi.", "segments": [{"start": 0.0, "end": 1.5, "text": "Hi.", "channel": 0}], "language": "en", "model": "base", "model_sha256": "abc", "settings": {"z": 1, "a": [1, 2]}, "audio_seconds": 2.0, "processing_seconds": 0.5}"#
        let message = try #require(WorkerMessage.parse(line))
        #expect(message.type == "result")
        #expect(message.segments == [TranscriptSegment(start: 0, end: 1.5, text: "Hi.", channel: 0)])
        #expect(message.settingsJSON == #"{"a":[1,2],"z":1}"#)
        #expect(message.audioSeconds == 2.0)
    }

    @Test func parsesTypedError() throws {
        let message = try #require(WorkerMessage.parse(#"{"id": "job-2", "type": "error", "code": "audio_unreadable", "message": "x: no such file"}"#))
        #expect(SpeechWorkerError.fromWorker(code: message.code!, message: message.message!) == .audioUnreadable("x: no such file"))
        #expect(WorkerMessage.parse("not json") == nil)
    }

    @Test func requestLineEncodesNullLanguage() throws {
        let line = try WorkerRequest(id: "j", audio: "/a b.mp3", options: .init(model: "base", language: nil, channels: 2)).line()
        #expect(line == #"{"audio":"/a b.mp3","id":"j","options":{"channels":2,"language":null,"model":"base"}}"#)
    }

    @Test func locateUsesEnvironmentThenSourceTree() throws {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("speech-env-\(UUID().uuidString)")
        let repo = tmp.appendingPathComponent("repo")
        try FileManager.default.createDirectory(at: repo.appendingPathComponent("speech"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: repo.appendingPathComponent(".build/debug"), withIntermediateDirectories: true)
        try Data().write(to: repo.appendingPathComponent("speech/worker.py"))
        defer { try? FileManager.default.removeItem(at: tmp) }

        let exe = repo.appendingPathComponent(".build/debug/calltop")
        #expect(SpeechEnvironment.locate(environment: ["CALLTOP_SPEECH_HOME": "/opt/x"], executable: exe).root.path == "/opt/x")
        #expect(SpeechEnvironment.locate(environment: [:], executable: exe, sourceTree: repo).root.path == repo.path)

        let env = SpeechEnvironment(root: repo)
        #expect(env.installationProblem() == .notInstalled("no venv at \(repo.appendingPathComponent(".venv").path)"))
        let checks = env.check()
        #expect(checks.first { $0.name == "speech venv" }?.ok == false)
        #expect(checks.first { $0.name == "speech worker" }?.ok == true)
        #expect(checks.filter { !$0.ok }.allSatisfy { $0.line.hasPrefix("FAIL") })
    }
}
