import Foundation
import Testing
@testable import CallTopCore

@Suite("Speech worker protocol and environment")
struct TranscriptionProtocolTests {
    @Test func parsesResultWithSettingsAsSortedJSON() throws {
        let line = #"{"id": "job-1", "type": "result", "text": "Hi.", "segments": [{"start": 0.0, "end": 1.5, "text": "Hi.", "channel": 0}], "language": "en", "model": "base", "model_sha256": "abc", "settings": {"z": 1, "a": [1, 2]}, "audio_seconds": 2.0, "processing_seconds": 0.5}"#
        guard case let .result(id, result)? = WorkerMessage.parse(line) else {
            Issue.record("not a result: \(String(describing: WorkerMessage.parse(line)))")
            return
        }
        #expect(id == "job-1")
        #expect(result.segments == [TranscriptSegment(start: 0, end: 1.5, text: "Hi.", channel: 0)])
        #expect(result.settingsJSON == #"{"a":[1,2],"z":1}"#)
        #expect(result.audioSeconds == 2.0)
    }

    @Test func parsesTypedError() throws {
        let message = try #require(WorkerMessage.parse(#"{"id": "job-2", "type": "error", "code": "audio_unreadable", "message": "x: no such file"}"#))
        guard case let .error(id, code, text) = message else {
            Issue.record("not an error: \(message)")
            return
        }
        #expect(id == "job-2")
        #expect(SpeechWorkerError.fromWorker(code: code, message: text) == .audioUnreadable("x: no such file"))
        #expect(WorkerMessage.parse("not json") == nil)
    }

    @Test func eachTypeDecodesToItsCaseAndUnknownTypesAreKept() {
        #expect(WorkerMessage.parse(#"{"type": "ready", "protocol": 1, "pid": 7, "models": {}}"#) == .ready(protocolVersion: 1))
        #expect(WorkerMessage.parse(#"{"id": "j", "type": "started", "audio_seconds": 12.5, "channels": 2}"#)
            == .started(id: "j", audioSeconds: 12.5, channels: 2))
        #expect(WorkerMessage.parse(#"{"id": "j", "type": "progress", "fraction": 0.5, "decoded_seconds": 60.0}"#)
            == .progress(id: "j", fraction: 0.5, decodedSeconds: 60, segment: nil))
        #expect(WorkerMessage.parse(#"{"type": "error", "code": "internal", "message": "boom"}"#)
            == .error(id: nil, code: "internal", message: "boom"))
        #expect(WorkerMessage.parse(#"{"type": "heartbeat"}"#) == .other(type: "heartbeat"))
        // A started line without its job id is no protocol line.
        #expect(WorkerMessage.parse(#"{"type": "started", "audio_seconds": 1}"#) == nil)
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
