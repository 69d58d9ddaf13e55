import Foundation
import Testing
@testable import CallTopCore

/// The supervisor against workers that misbehave: lie about the audio, hang, die between jobs.
@Suite struct WorkerGuardTests {
    @Test func aFileThatClaimsHundredsOfHoursStillTimesOutWhenTheWorkerHangs() async throws {
        let speech = try FakeSpeechHome.make("""
            for line in sys.stdin:
                req = json.loads(line)
                emit({"id": req["id"], "type": "started", "audio_seconds": 360000.0, "channels": 1})
                time.sleep(3600)
            """)
        var configuration = SpeechWorker.Configuration(environment: speech)
        configuration.timeLimit = JobTimeLimit(base: 1, perAudioSecond: 0.01, lookahead: 60)
        let worker = SpeechWorker(configuration: configuration)
        let audio = try FakeSpeechHome.audioFile()
        let started = ContinuousClock.now
        // Without the bound the limit is 1 + 0.01 × 360000 s: stop waiting long before that.
        let watchdog = Task { try await Task.sleep(for: .seconds(20)); await worker.shutdown() }
        defer { watchdog.cancel() }
        do {
            _ = try await worker.transcribe(TranscriptionRequest(audio: audio))
            Issue.record("a hung worker produced a transcript")
        } catch let error as SpeechWorkerError {
            guard case .timedOut(let seconds) = error else {
                Issue.record("expected a time-out, got \(error)")
                return
            }
            #expect(seconds < 2, "limit \(seconds) s")
        }
        #expect(ContinuousClock.now - started < .seconds(10))
        await worker.shutdown()
    }

    @Test func audioReallyDecodedExtendsTheLimit() async throws {
        // Claims a huge length, then decodes 60 s of audio every 0.4 s for 2.4 s: well past the
        // 1.6 s it would get for one window, but never stuck.
        let speech = try FakeSpeechHome.make("""
            for line in sys.stdin:
                req = json.loads(line)
                emit({"id": req["id"], "type": "started", "audio_seconds": 360000.0, "channels": 1})
                for i in range(1, 7):
                    time.sleep(0.4)
                    emit({"id": req["id"], "type": "progress", "fraction": i / 6, "decoded_seconds": 60.0 * i})
                emit(result(req["id"], "decoded it all"))
            """)
        var configuration = SpeechWorker.Configuration(environment: speech)
        configuration.timeLimit = JobTimeLimit(base: 1, perAudioSecond: 0.01, lookahead: 60, minBytesPerSecond: 1)
        let worker = SpeechWorker(configuration: configuration)
        let transcript = try await worker.transcribe(TranscriptionRequest(audio: try FakeSpeechHome.audioFile()))
        #expect(transcript.text == "decoded it all")
        await worker.shutdown()
    }

    @Test func aWorkerThatDiesBetweenJobsFailsNoJobAndDoesNotKillUs() async throws {
        // Closes its stdin before answering: the next request is written into a pipe nobody reads.
        // Without SIGPIPE ignored, that write kills the whole process (this test runner with it).
        let speech = try FakeSpeechHome.make("""
            line = sys.stdin.readline()
            req = json.loads(line)
            os.close(0)
            emit(result(req["id"], "first " + req["id"]))
            time.sleep(1.0)
            """)
        let worker = SpeechWorker(configuration: .init(environment: speech))
        let audio = try FakeSpeechHome.audioFile()
        var texts: [String] = []
        for _ in 0..<3 {
            texts.append(try await worker.transcribe(TranscriptionRequest(audio: audio)).text)
        }
        #expect(texts == ["first job-1", "first job-2", "first job-3"])
        await worker.shutdown()
    }
}

@Suite struct SpeechDiscoveryTests {
    @Test func theCurrentDirectoryIsNeverSearched() throws {
        let planted = FileManager.default.temporaryDirectory.appendingPathComponent("calltop-planted-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: planted.appendingPathComponent("speech"), withIntermediateDirectories: true)
        try Data().write(to: planted.appendingPathComponent("speech/worker.py"))
        let source = URL(fileURLWithPath: "/nonexistent-source-tree")
        let found = SpeechEnvironment.locate(environment: [:], executable: URL(fileURLWithPath: "/opt/x/calltop"), sourceTree: source)
        #expect(found.root.path == source.path)
        #expect(!SpeechEnvironment.candidates(environment: [:], executable: planted.appendingPathComponent("a/calltop"), sourceTree: source)
            .contains { $0.path.hasPrefix(planted.path) })
    }

    @Test func homeThenInstallPrefixThenSourceTree() throws {
        let prefix = FileManager.default.temporaryDirectory.appendingPathComponent("calltop-prefix-\(UUID().uuidString.prefix(8))")
        let lib = prefix.appendingPathComponent("lib/calltop")
        try FileManager.default.createDirectory(at: lib.appendingPathComponent("speech"), withIntermediateDirectories: true)
        try Data().write(to: lib.appendingPathComponent("speech/worker.py"))
        let exe = prefix.appendingPathComponent("bin/calltop")
        let source = URL(fileURLWithPath: "/nonexistent-source-tree")
        #expect(SpeechEnvironment.locate(environment: ["CALLTOP_SPEECH_HOME": "/opt/x"], executable: exe, sourceTree: source).root.path == "/opt/x")
        #expect(SpeechEnvironment.locate(environment: [:], executable: exe, sourceTree: source).root.path == lib.path)
        // Not under bin/: no prefix to look in.
        #expect(SpeechEnvironment.locate(environment: [:], executable: prefix.appendingPathComponent("calltop"), sourceTree: source).root.path == source.path)
        #expect(SpeechEnvironment.sourceTree.appendingPathComponent("Package.swift").path
            == URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("Package.swift").path)
    }

    @Test func aSpeechTreeOthersCanWriteIsRefused() throws {
        let speech = try FakeSpeechHome.make("")
        #expect(speech.installationProblem() == nil)
        chmod(speech.root.appendingPathComponent("speech").path, 0o775)
        guard case .untrusted(let why)? = speech.installationProblem() else {
            Issue.record("a group-writable speech/ was accepted")
            return
        }
        #expect(why.contains("writable by its group"))
        #expect(speech.check().contains { $0.name == "speech trust" && !$0.ok })
        chmod(speech.root.appendingPathComponent("speech").path, 0o755)
        chmod(speech.root.appendingPathComponent("speech/worker.py").path, 0o646)
        #expect(speech.installationProblem().map { "\($0)" }?.contains("every user") == true)
    }

    @Test(.enabled(if: geteuid() == 0, "needs root to give a file to another user"))
    func aSpeechTreeOwnedBySomeoneElseIsRefused() throws {
        let speech = try FakeSpeechHome.make("")
        #expect(chown(speech.root.appendingPathComponent(".venv").path, 65534, 65534) == 0)
        guard case .untrusted(let why)? = speech.installationProblem() else {
            Issue.record("a venv owned by nobody was accepted")
            return
        }
        #expect(why.contains("uid 65534"))
    }

    @Test func theWorkerEnvironmentCarriesNoCredential() {
        let parent = ["PATH": "/usr/bin", "HOME": "/root", "LANG": "C.UTF-8", "TWILIO_AUTH_TOKEN": "t", "TWILIO_API_SECRET": "s",
                      "CALLTOP_NOTIFY_SECRET": "n", "CALLTOP_INGEST_TOKEN": "i", "PYTHONPATH": "/evil", "LD_PRELOAD": "/evil.so"]
        let env = SpeechEnvironment.workerEnvironment(from: parent)
        #expect(env == ["PATH": "/usr/bin", "HOME": "/root", "LANG": "C.UTF-8", "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1",
                        "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1"])
    }
}
