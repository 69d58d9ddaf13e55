import CallTopSimulator
import CallTopTestSupport
@testable import CallTopCore
import Foundation
import Testing

/// `calltop worker` processes on one store and one simulator, as a team runs
/// them: jobs done once across workers, a killed worker's job finished by
/// another, quick clean stops, probes and metrics, and its command line.
@Suite(.serialized) struct WorkerCommandTests {
    struct Rig {
        var simulator: TwilioSimulator
        var env: [String: String]
        var home: URL
        func store() throws -> Store { try Store(dataDir: home, owner: LeaseOwner(host: "e2e.test", pid: 1, token: "test")) }
        var completed: [SimulatedRecording] { simulator.recordings().filter { $0.status == "completed" } }
        /// 200 answers to media GETs, per recording.
        var mediaGets: [String: Int] {
            let media = simulator.requests().filter { $0.isMedia && $0.status == 200 }
            return Dictionary(grouping: media, by: { $0.recordingSid ?? "?" }).mapValues(\.count)
        }
    }

    func rig(calls: Int = 6, scenarios: [ScenarioRule] = []) async throws -> Rig {
        let simulator = TwilioSimulator(config: SimulatorConfig(callCount: calls, scenarios: scenarios))
        _ = try await simulator.start()
        let home = URL(fileURLWithPath: NSTemporaryDirectory() + "calltop-worker-e2e-\(UUID().uuidString.prefix(8))")
        let env = ["CALLTOP_HOME": home.path, "CALLTOP_API_BASE_URL": simulator.baseURL,
                   "TWILIO_ACCOUNT_SID": SimulatorConfig.defaultAccountSid, "TWILIO_AUTH_TOKEN": SimulatorConfig.defaultAuthToken]
        return Rig(simulator: simulator, env: env, home: home)
    }

    /// The rig's environment with a counting speech engine, and the log it writes.
    func countingSpeech(_ rig: Rig) throws -> (env: [String: String], log: URL) {
        let log = URL(fileURLWithPath: NSTemporaryDirectory() + "calltop-worker-jobs-\(UUID().uuidString.prefix(8)).log")
        return (rig.env.merging(["CALLTOP_SPEECH_HOME": try countingSpeechHome(log: log).path]) { $1 }, log)
    }

    /// A speech engine whose worker appends each job's audio path to `log` and answers "hello there"
    /// (after `delay` seconds: a long transcription to kill a worker in).
    func countingSpeechHome(log: URL, delay: Double = 0) throws -> URL {
        let root = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("calltop-worker-speech-\(UUID().uuidString.prefix(8))")
        let fm = FileManager.default
        try fm.createDirectory(at: root.appendingPathComponent("speech"), withIntermediateDirectories: true)
        try fm.createDirectory(at: root.appendingPathComponent(".venv/bin"), withIntermediateDirectories: true)
        try fm.createSymbolicLink(atPath: root.appendingPathComponent(".venv/bin/python").path, withDestinationPath: "/usr/bin/python3")
        let script = """
            import json, os, sys, time
            print(json.dumps({"type": "ready", "protocol": 1, "pid": os.getpid(), "models": {}, "loaded": []}), flush=True)
            for line in sys.stdin:
                req = json.loads(line)
                time.sleep(\(delay))
                with open(\(String(reflecting: log.path)), "a") as f:
                    f.write(req["audio"] + "\\n")
                print(json.dumps({"id": req["id"], "type": "result", "text": "hello there", "segments": [], "language": "en",
                                  "model": "base", "model_sha256": "0" * 64, "settings": {}, "audio_seconds": 1.0,
                                  "processing_seconds": 0.01}), flush=True)
            """
        try script.write(to: root.appendingPathComponent("speech/worker.py"), atomically: true, encoding: .utf8)
        for path in [root, root.appendingPathComponent("speech"), root.appendingPathComponent(".venv"), root.appendingPathComponent(".venv/bin")] {
            chmod(path.path, 0o755)
        }
        return root
    }

    func allDownloaded(_ rig: Rig, _ store: Store) throws -> Bool {
        return try rig.completed.allSatisfy { try store.recording($0.sid)?.downloadState == .downloaded }
    }

    /// Calls whose primary recording was downloaded: those a worker transcribes.
    func transcribable(_ rig: Rig, _ store: Store) throws -> [String] {
        return try Set(rig.completed.map(\.callSid)).filter { try store.recordings(ofCall: $0).first?.downloadState == .downloaded }.sorted()
    }

    @Test(.timeLimit(.minutes(3)))
    func twoWorkersDownloadEveryRecordingOnceAndTranscribeEachCallOnce() async throws {
        let rig = try await rig(calls: 8)
        defer { Task { await rig.simulator.stop() } }
        let (env, log) = try countingSpeech(rig)
        let args = ["--downloads", "2", "--transcriptions", "1", "--sync-interval", "2s"]
        let workers = [try WorkerProcess(env: env, arguments: args + ["--name", "one"]),
                       try WorkerProcess(env: env, arguments: args + ["--name", "two"])]
        let store = try rig.store()
        let finished = try await waitFor(90) {
            guard try allDownloaded(rig, store) else { return false }
            return try transcribable(rig, store).allSatisfy { try store.offlineState($0) == .done(text: "hello there") }
        }
        #expect(finished, "\(workers.map(\.stderr))")
        for worker in workers {
            let (status, seconds) = worker.terminate()
            #expect(status == 0 && seconds < 10, "\(worker.stderr)")
        }
        let gets = rig.mediaGets
        #expect(Set(gets.keys) == Set(rig.completed.map(\.sid)))
        #expect(gets.values.allSatisfy { $0 == 1 }, "downloaded more than once: \(gets.filter { $0.value > 1 })")
        let jobs = try String(contentsOf: log, encoding: .utf8).split(separator: "\n").map(String.init)
        let expected = try transcribable(rig, store)
        #expect(jobs.count == expected.count && Set(jobs).count == jobs.count, "transcribed more than once: \(jobs)")
        let rows = try store.workers()
        #expect(rows.map(\.name) == ["one", "two"] && rows.allSatisfy { $0.state == .stopped }, "\(rows)")
    }

    /// The same with the real speech engine (`make setup`): each call gets one transcript.
    @Test(.timeLimit(.minutes(10)), .enabled(if: Self.speechInstalled, "speech venv absent: run `make setup` (scripts/setup-speech.sh)"))
    func twoWorkersWithTheRealSpeechEngineTranscribeEachCallOnce() async throws {
        let rig = try await rig(calls: 3)
        defer { Task { await rig.simulator.stop() } }
        var env = rig.env
        env["CALLTOP_SPEECH_HOME"] = SpeechEnvironment.sourceTree.path
        let args = ["--downloads", "2", "--transcriptions", "1", "--sync-interval", "2"]
        let workers = [try WorkerProcess(env: env, arguments: args), try WorkerProcess(env: env, arguments: args)]
        let store = try rig.store()
        let finished = try await waitFor(480) {
            guard try allDownloaded(rig, store) else { return false }
            return try transcribable(rig, store).allSatisfy { if case .done = try store.offlineState($0) { true } else { false } }
        }
        #expect(finished, "\(workers.map(\.stderr))")
        for worker in workers { #expect(worker.terminate().0 == 0) }
        let logText = try String(contentsOf: rig.home.appendingPathComponent("logs/calltop.log"), encoding: .utf8)
        for call in try transcribable(rig, store) {
            let obtained = logText.split(separator: "\n").filter { $0.contains("Transcript obtained") && $0.contains(call) }
            #expect(obtained.count == 1, "\(call) transcribed \(obtained.count) times")
        }
    }

    static var speechInstalled: Bool {
        let speech = SpeechEnvironment(root: SpeechEnvironment.sourceTree)
        return speech.installationProblem() == nil && speech.modelFile(SpeechEnvironment.defaultModel) != nil
    }

    @Test(.timeLimit(.minutes(3)))
    func aKilledWorkersDownloadIsFinishedByAnotherOnceItsLeaseIsGone() async throws {
        // 30 kB/s: each download takes seconds, so the kill lands mid-transfer.
        let rig = try await rig(calls: 3, scenarios: [ScenarioRule(.slow(bytesPerSecond: 30_000))])
        defer { Task { await rig.simulator.stop() } }
        let args = ["--downloads", "1", "--transcriptions", "0", "--sync-interval", "2", "--lease-seconds", "3"]
        let first = try WorkerProcess(env: rig.env, arguments: args + ["--name", "doomed"])
        let store = try rig.store()
        var victim: String?
        #expect(try await waitFor(30) {
            victim = try rig.completed.first { try store.recording($0.sid)?.downloadState == .downloading }?.sid
            return victim != nil
        })
        first.killHard()
        let sid = try #require(victim)
        #expect(try store.recording(sid)?.leaseOwner?.contains(":\(first.pid):") == true, "held by the killed worker")
        let second = try WorkerProcess(env: rig.env, arguments: args + ["--name", "survivor"])
        #expect(try await waitFor(90) { try allDownloaded(rig, store) }, "\(second.stderr)")
        let recording = try #require(try store.recording(sid))
        #expect(recording.downloadState == .downloaded && (recording.bytes ?? 0) > 0 && recording.bytes == recording.expectedBytes)
        #expect(second.terminate().0 == 0, "\(second.stderr)")
        // The killed worker never said goodbye; the survivor did.
        let rows = Dictionary(uniqueKeysWithValues: try store.workers().map { ($0.name, $0) })
        #expect(rows["doomed"]?.state == .running && rows["survivor"]?.state == .stopped)
        #expect((rows["survivor"]?.jobsDone ?? 0) >= 1)
    }

    @Test(.timeLimit(.minutes(1)))
    func anIdleWorkerExitsZeroQuicklyOnSigterm() async throws {
        let rig = try await rig(calls: 2)
        defer { Task { await rig.simulator.stop() } }
        let worker = try WorkerProcess(env: rig.env, arguments: ["--transcriptions", "0", "--sync-interval", "60", "--name", "idle"])
        let store = try rig.store()
        #expect(try await waitFor(30) { try allDownloaded(rig, store) })
        try await Task.sleep(for: .milliseconds(500))
        let (status, seconds) = worker.terminate()
        #expect(status == 0, "\(worker.stderr)")
        #expect(seconds < 3, "took \(seconds) s")
        let row = try #require(try store.workers().first)
        #expect(row.name == "idle" && row.state == .stopped && row.jobsRunning == 0)
        #expect(try store.leaseHolder("sync") == nil)
    }

    @Test(.timeLimit(.minutes(2)))
    func theMetricsPortServesProbesAndTheWorkersMetrics() async throws {
        let rig = try await rig(calls: 4)
        defer { Task { await rig.simulator.stop() } }
        let (env, _) = try countingSpeech(rig)
        let worker = try WorkerProcess(env: env, arguments: ["--metrics-port", "0", "--sync-interval", "2"])
        _ = try #require(worker.metricsPort)
        #expect(try worker.get("/healthz").0 == 200)
        let ready = try worker.get("/readyz")
        #expect(ready.0 == 200 && ready.1.contains("ok   store") && ready.1.contains("ok   twilio"), "\(ready)")
        var metrics = PrometheusText(text: "")
        let moved = try await waitFor(60) {
            metrics = PrometheusText(text: try worker.get("/metrics").1)
            return metrics.value("calltop_recording_downloads_total", ["result": "downloaded"]) == Double(rig.completed.count)
                && (metrics.value("calltop_transcriptions_total", ["result": "done"]) ?? 0) >= 1
        }
        #expect(moved, "\(metrics.text)\n\(worker.stderr)")
        #expect(metrics.value("calltop_build_info", ["version": CallTopVersion.current]) == 1)
        #expect(metrics.value("calltop_jobs", ["kind": "download", "state": "downloaded"]) == Double(rig.completed.count))
        #expect(metrics.value("calltop_jobs", ["kind": "transcription"]) != nil)
        #expect(metrics.value("calltop_oldest_pending_job_age_seconds") != nil)
        #expect((metrics.value("calltop_recording_download_duration_seconds_count") ?? 0) >= Double(rig.completed.count))
        #expect((metrics.value("calltop_transcription_duration_seconds_count") ?? 0) >= 1)
        #expect((metrics.value("calltop_heartbeat_timestamp_seconds") ?? 0) > Date().timeIntervalSince1970 - 30)
        for r in rig.completed { #expect(!metrics.text.contains(r.sid) && !metrics.text.contains(r.callSid), "a SID leaked into /metrics") }
        #expect(worker.terminate().0 == 0)
        #expect(try HTTP.request("http://127.0.0.1:\(worker.metricsPort!)/healthz").0 == 0, "still listening after exit")
    }

    @Test func helpTeachesTheCommandAndEveryOption() throws {
        var help = try CalltopBinary.run(["worker", "--help"])
        #expect(help.status == 0)
        help.stdout = help.stdout.replacing(/\s+/, with: " ")
        #expect(help.stdout.contains("USAGE: calltop worker "), "\(help.stdout)")
        for option in ["--downloads", "--transcriptions", "--sync-interval", "--name", "--metrics-port", "--drain-timeout", "--lease-seconds"] {
            #expect(help.stdout.contains(option), "\(option) missing from --help")
        }
        #expect(help.stdout.contains("0 turns transcription off"))
        #expect(help.stdout.contains("SIGTERM"))
    }

    @Test(arguments: ["0", "0s", "-1", "nan", "inf", "1", "1.5s", "soon", "2x"])
    func aBadSyncIntervalIsAClearError(value: String) throws {
        let r = try CalltopBinary.run(["worker", "--transcriptions", "0", "--sync-interval", value],
                                      env: ["CALLTOP_HOME": NSTemporaryDirectory() + "calltop-worker-bad-\(UUID().uuidString.prefix(8))"], timeout: 20)
        #expect(r.status == 64, "--sync-interval \(value): \(r.status) \(r.stderr)")
        #expect(r.stderr.contains("--sync-interval"), "\(r.stderr)")
    }

    @Test func transcriptionWithoutASpeechEngineSaysHowToFixIt() async throws {
        let rig = try await rig(calls: 1)
        defer { Task { await rig.simulator.stop() } }
        var env = rig.env
        env["CALLTOP_SPEECH_HOME"] = NSTemporaryDirectory() + "calltop-no-speech-\(UUID().uuidString.prefix(8))"
        let r = try CalltopBinary.run(["worker", "--transcriptions", "1"], env: env, timeout: 20)
        #expect(r.status == 1 && r.stderr.contains("--transcriptions 0"), "\(r.status) \(r.stderr)")
        #expect(!r.stderr.contains(SimulatorConfig.defaultAuthToken))
    }
}
