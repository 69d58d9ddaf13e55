import CallTopSimulator
import CallTopTestSupport
import CallTopWebhooks
@testable import CallTopCore
import Foundation
import Testing

/// Team mode as a team runs it: `calltop worker` and `calltop serve` processes on
/// separate machines' data dirs (no shared files) sharing one real PostgreSQL
/// (a throwaway cluster), against one simulator.
@Suite(.serialized) struct TeamModeTests {
    struct Rig {
        var simulator: TwilioSimulator
        var databaseURL: String
        var base: [String: String]
        var completed: [SimulatedRecording] { simulator.recordings().filter { $0.status == "completed" } }
        /// 200 answers to media GETs, per recording.
        var mediaGets: [String: Int] {
            let media = simulator.requests().filter { $0.isMedia && $0.status == 200 }
            return Dictionary(grouping: media, by: { $0.recordingSid ?? "?" }).mapValues(\.count)
        }

        /// One machine: its own data dir, the team's database.
        func machine(_ name: String, _ extra: [String: String] = [:]) -> [String: String] {
            let home = NSTemporaryDirectory() + "calltop-team-\(name)-\(UUID().uuidString.prefix(8))"
            return base.merging(["CALLTOP_HOME": home]) { $1 }.merging(extra) { $1 }
        }

        /// The test's own view of the database, as a laptop would open it.
        func store() throws -> PostgresStore {
            try PostgresStore(url: try DatabaseURL.parse(databaseURL), dataDir: URL(fileURLWithPath: NSTemporaryDirectory() + "calltop-team-test-\(UUID().uuidString.prefix(8))"),
                              owner: LeaseOwner(host: "e2e.test", pid: 1, token: "team"))
        }
    }

    func rig(calls: Int, scenarios: [ScenarioRule] = []) async throws -> Rig {
        let simulator = TwilioSimulator(config: SimulatorConfig(callCount: calls, scenarios: scenarios))
        _ = try await simulator.start()
        let database = try ThrowawayPostgres.shared().freshDatabase()
        let base = ["CALLTOP_DATABASE_URL": database.text, "CALLTOP_API_BASE_URL": simulator.baseURL,
                    "TWILIO_ACCOUNT_SID": SimulatorConfig.defaultAccountSid, "TWILIO_AUTH_TOKEN": SimulatorConfig.defaultAuthToken]
        return Rig(simulator: simulator, databaseURL: database.text, base: base)
    }

    func allDownloaded(_ rig: Rig, _ store: PostgresStore) throws -> Bool {
        try rig.completed.allSatisfy { try store.recording($0.sid)?.downloadState == .downloaded }
    }

    /// Calls whose primary recording was downloaded: those a worker transcribes.
    func transcribable(_ rig: Rig, _ store: PostgresStore) throws -> Set<String> {
        try Set(rig.completed.map(\.callSid)).filter { try store.recordings(ofCall: $0).first?.downloadState == .downloaded }
    }

    /// Every recording downloaded and every transcribable call given the counting engine's transcript.
    func allDownloadedAndTranscribed(_ rig: Rig, _ store: PostgresStore) throws -> Bool {
        guard try allDownloaded(rig, store) else { return false }
        return try transcribable(rig, store).allSatisfy { try store.offlineState($0) == .done(text: "hello there") }
    }

    @Test(.timeLimit(.minutes(3)))
    func threeWorkersOnPostgresDownloadEveryRecordingExactlyOnce() async throws {
        let rig = try await rig(calls: 12)
        defer { Task { await rig.simulator.stop() } }
        let args = ["--downloads", "2", "--transcriptions", "0", "--sync-interval", "2s"]
        let workers = try ["a", "b", "c"].map { try WorkerProcess(env: rig.machine($0), arguments: args + ["--name", $0]) }
        let store = try rig.store()
        defer { store.close() }
        #expect(try await waitFor(90) { try allDownloaded(rig, store) }, "\(workers.map(\.stderr))")
        for worker in workers {
            let (status, seconds) = worker.terminate()
            #expect(status == 0 && seconds < 10, "\(worker.stderr)")
        }
        let gets = rig.mediaGets
        #expect(Set(gets.keys) == Set(rig.completed.map(\.sid)))
        #expect(gets.values.allSatisfy { $0 == 1 }, "downloaded more than once: \(gets.filter { $0.value > 1 })")
        let rows = try store.workers()
        #expect(rows.map(\.name) == ["a", "b", "c"] && rows.allSatisfy { $0.state == .stopped }, "\(rows)")
        // Every recording's size and hash are in the database: a laptop with no files lists them all.
        let listed = try store.callRows(state: nil, limit: nil, withRecordings: true).flatMap(\.recordings).filter { $0.downloadState == .downloaded }
        #expect(listed.count == rig.completed.count && listed.allSatisfy { $0.sha256 != nil && ($0.bytes ?? 0) > 0 })
    }

    @Test(.timeLimit(.minutes(3)))
    func twoMachinesTranscribeEachCallOnceCopyingFilesTheyLack() async throws {
        let rig = try await rig(calls: 8)
        defer { Task { await rig.simulator.stop() } }
        let log = URL(fileURLWithPath: NSTemporaryDirectory() + "calltop-team-jobs-\(UUID().uuidString.prefix(8)).log")
        let speech = ["CALLTOP_SPEECH_HOME": try WorkerCommandTests().countingSpeechHome(log: log).path]
        // One machine only downloads, the other only transcribes: every transcription needs a copy.
        let downloader = try WorkerProcess(env: rig.machine("dl", speech), arguments: ["--downloads", "2", "--transcriptions", "0", "--sync-interval", "2", "--name", "dl"])
        let transcriber = try WorkerProcess(env: rig.machine("stt", speech), arguments: ["--downloads", "0", "--transcriptions", "1", "--sync-interval", "60", "--name", "stt"])
        let store = try rig.store()
        defer { store.close() }
        let transcribable = { try self.transcribable(rig, store) }
        let finished = try await waitFor(120) { try allDownloadedAndTranscribed(rig, store) }
        #expect(finished, "\(downloader.stderr)\n\(transcriber.stderr)")
        #expect(downloader.terminate().0 == 0 && transcriber.terminate().0 == 0)
        let jobs = try String(contentsOf: log, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(jobs.count == (try transcribable()).count && Set(jobs).count == jobs.count, "transcribed more than once: \(jobs)")
        // Each transcribed recording: fetched once by its download, once more as the transcriber's verified copy.
        for call in try transcribable() {
            let primary = try #require(try store.recordings(ofCall: call).first)
            #expect(rig.mediaGets[primary.sid] == 2, "\(primary.sid): \(rig.mediaGets[primary.sid] ?? 0) media GETs")
            #expect(try store.copyHolders(ofRecording: primary.sid).count == 2)
        }
    }

    @Test(.timeLimit(.minutes(3)))
    func aKilledWorkersDownloadIsFinishedByAnotherOnceItsLeaseExpires() async throws {
        // 30 kB/s: each download takes seconds, so the kill lands mid-transfer.
        let rig = try await rig(calls: 3, scenarios: [ScenarioRule(.slow(bytesPerSecond: 30_000))])
        defer { Task { await rig.simulator.stop() } }
        let args = ["--downloads", "1", "--transcriptions", "0", "--sync-interval", "2", "--lease-seconds", "3"]
        let first = try WorkerProcess(env: rig.machine("doomed"), arguments: args + ["--name", "doomed"])
        let store = try rig.store()
        defer { store.close() }
        var victim: String?
        #expect(try await waitFor(30) {
            victim = try rig.completed.first { try store.recording($0.sid)?.downloadState == .downloading }?.sid
            return victim != nil
        })
        first.killHard()
        let sid = try #require(victim)
        #expect(try store.recording(sid)?.leaseOwner?.contains(":\(first.pid):") == true, "held by the killed worker")
        let second = try WorkerProcess(env: rig.machine("survivor"), arguments: args + ["--name", "survivor"])
        #expect(try await waitFor(90) { try allDownloaded(rig, store) }, "\(second.stderr)")
        let recording = try #require(try store.recording(sid))
        #expect(recording.downloadState == .downloaded && recording.bytes == recording.expectedBytes)
        #expect(second.terminate().0 == 0, "\(second.stderr)")
    }

    @Test(.timeLimit(.minutes(3)))
    func twoServeReplicasGivenTheSameCallbacksDeliverEachVersionOnce() async throws {
        let rig = try await rig(calls: 6)
        defer { Task { await rig.simulator.stop() } }
        let secret = "team-notify-secret-0123456789"
        let receiver = DeliveryReceiver(verify: { NotifySignature.verify(signature: $0, body: $1, timestamp: $2, secret: secret) })
        try await receiver.start()
        defer { Task { await receiver.stop() } }
        let log = URL(fileURLWithPath: NSTemporaryDirectory() + "calltop-team-serve-jobs-\(UUID().uuidString.prefix(8)).log")
        let extra = ["CALLTOP_NOTIFY_SECRET": secret, "CALLTOP_SPEECH_HOME": try WorkerCommandTests().countingSpeechHome(log: log).path]
        let args = ["--notify-url", receiver.url, "--wait-attempts", "2", "--wait-interval", "1"]
        let replicas = [try ServeProcess(env: rig.machine("serve1", extra), arguments: args),
                        try ServeProcess(env: rig.machine("serve2", extra), arguments: args)]
        // Twilio retries and a load balancer spreads: every callback reaches both replicas, in a random order.
        for r in rig.completed.shuffled() {
            for replica in replicas.shuffled() {
                #expect(try replica.recordingCompleted(callSid: r.callSid, recordingSid: r.sid) == 200)
            }
        }
        let calls = Set(rig.completed.map(\.callSid))
        #expect(try await waitFor(90) { Set(receiver.deliveries.map(\.callSid)).isSuperset(of: calls) },
                "\(replicas.map(\.stderr))")
        try await Task.sleep(for: .seconds(2))  // a second delivery of a version would arrive now
        let ids = receiver.deliveries.map(\.id)
        #expect(ids.count == Set(ids).count, "delivered twice: \(ids)")
        let gets = rig.mediaGets
        #expect(rig.completed.allSatisfy { gets[$0.sid] == 1 }, "downloaded more than once: \(gets)")
        let store = try rig.store()
        defer { store.close() }
        for call in calls { #expect(try store.deliveries(ofCall: call).count == 1) }
        for replica in replicas { #expect(replica.terminate().0 == 0, "\(replica.stderr)") }
    }

    @Test func aRefusedPasswordSaysSoAndNeverPrintsIt() async throws {
        let cluster = try ThrowawayPostgres.shared()
        var wrong = URLComponents(string: cluster.urlText)!
        wrong.password = "not-the-password-4711"
        let result = try CalltopBinary.run(["list"], env: ["CALLTOP_HOME": NSTemporaryDirectory() + "calltop-team-bad-\(UUID().uuidString.prefix(8))",
                                                           "CALLTOP_DATABASE_URL": wrong.string!])
        #expect(result.status == 1)
        #expect(result.stderr.contains("refused the password for user calltop"), "\(result.stderr)")
        #expect(!result.stderr.contains("not-the-password-4711") && !result.stdout.contains("not-the-password-4711"))
        #expect(result.stderr.split(separator: "\n").count == 1, "one line: \(result.stderr)")
    }
}

/// The database going away under running processes.
@Suite(.serialized) struct TeamModeOutageTests {
    @Test(.timeLimit(.minutes(4)))
    func aWorkerRidesOutADatabaseRestartAndLosesNothing() async throws {
        let cluster = try ThrowawayPostgres.startPrivate()
        let simulator = TwilioSimulator(config: SimulatorConfig(callCount: 6, scenarios: [ScenarioRule(.slow(bytesPerSecond: 60_000))]))
        _ = try await simulator.start()
        defer { Task { await simulator.stop() } }
        let env = ["CALLTOP_DATABASE_URL": cluster.urlText, "CALLTOP_API_BASE_URL": simulator.baseURL,
                   "TWILIO_ACCOUNT_SID": SimulatorConfig.defaultAccountSid, "TWILIO_AUTH_TOKEN": SimulatorConfig.defaultAuthToken,
                   "CALLTOP_HOME": NSTemporaryDirectory() + "calltop-team-outage-\(UUID().uuidString.prefix(8))"]
        let worker = try WorkerProcess(env: env, arguments: ["--downloads", "1", "--transcriptions", "0", "--sync-interval", "2",
                                                             "--lease-seconds", "5", "--name", "steady"])
        let completed = simulator.recordings().filter { $0.status == "completed" }
        func downloaded() -> Int {
            // A fresh connection each look: the test's own view must not depend on surviving the outage.
            guard let store = try? PostgresStore(url: cluster.url, dataDir: URL(fileURLWithPath: NSTemporaryDirectory())) else { return -1 }
            defer { store.close() }
            return completed.filter { (try? store.recording($0.sid)?.downloadState) == .downloaded }.count
        }
        var seen = 0
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, seen < 1 { seen = downloaded(); try await Task.sleep(for: .milliseconds(200)) }
        #expect(seen >= 1 && seen < completed.count, "the outage should land mid-run (\(seen) of \(completed.count))")
        try cluster.restart(downFor: 3)
        var all = false
        let after = Date().addingTimeInterval(150)
        while Date() < after, !all { all = downloaded() == completed.count; try await Task.sleep(for: .milliseconds(500)) }
        let log = (try? String(contentsOf: URL(fileURLWithPath: env["CALLTOP_HOME"]! + "/logs/calltop.log"), encoding: .utf8)) ?? ""
        #expect(all, "\(downloaded()) of \(completed.count): \(worker.stderr)\n\(log.suffix(3000))")
        #expect(worker.process.isRunning, "the worker must survive the outage: \(worker.stderr)")
        let (status, _) = worker.terminate()
        #expect(status == 0, "\(worker.stderr)")
        #expect(log.contains("could not") || worker.stderr.contains("could not"), "the outage is logged")
        #expect(!log.contains(cluster.url.password ?? "-"), "the password never reaches the log")
    }
}

/// The dashboard on a laptop in team mode, in tmux, read off the screen.
@Suite(.serialized, .enabled(if: Tmux.available, "tmux is installed by `make setup`"))
struct TeamDashboardTmuxTests {
    @Test(.timeLimit(.minutes(2)))
    func aWorkersChangeReachesTheScreenWithinASecond() async throws {
        let simulator = TwilioSimulator(config: SimulatorConfig(callCount: 4))
        _ = try await simulator.start()
        defer { Task { await simulator.stop() } }
        let database = try ThrowawayPostgres.shared().freshDatabase()
        let env = ["CALLTOP_DATABASE_URL": database.text, "CALLTOP_API_BASE_URL": simulator.baseURL,
                   "TWILIO_ACCOUNT_SID": SimulatorConfig.defaultAccountSid, "TWILIO_AUTH_TOKEN": SimulatorConfig.defaultAuthToken,
                   "CALLTOP_HOME": NSTemporaryDirectory() + "calltop-team-laptop-\(UUID().uuidString.prefix(8))"]
        #expect(try CalltopBinary.run(["sync"], env: env).status == 0)
        let t = try Tmux(command: [CalltopBinary.url.path, "ui"], width: 120, height: 40, env: env)
        defer { _ = try? t.run(["kill-server"]) }  // whatever happens above, no dashboard outlives the test
        let opened = t.waitFor(timeout: 15) { $0.contains("postgres") && $0.contains("pending") }
        #expect(opened.ok, "\(opened.screen)")
        #expect(opened.screen.contains("no workers"), "nothing downloads without a worker, and the header says so: \(opened.screen)")

        // This test plays the worker: it registers, claims a recording and finishes it, as `calltop worker` would.
        let owner = LeaseOwner(host: "box-7.example", pid: 7, token: "tmux")
        let worker = try PostgresStore(url: database.url, dataDir: URL(fileURLWithPath: NSTemporaryDirectory()), owner: owner)
        defer { worker.close() }
        try worker.registerWorker(WorkerRecord(name: "box-7", owner: owner, version: "test", startedAt: Date(), downloadSlots: 1, transcriptionSlots: 0), now: Date())
        let target = try #require(simulator.recordings().first { $0.status == "completed" })
        let claimed = try #require(try await worker.claimDownload(target.sid, now: Date()))
        let held = t.waitFor(timeout: 5) { $0.contains("1 worker") && $0.contains("box-7") }
        #expect(held.ok, "the header counts the worker and the row shows who holds it: \(held.screen)")

        let before = t.screen().components(separatedBy: "downloaded").count
        let written = Date()
        _ = try await worker.recordAttempt(DownloadAttempt(recordingSid: target.sid, startedAt: written, httpStatus: 200, twilioCode: nil,
                                                           bytes: 4321, durationMs: 5, error: nil),
                                           decision: .downloaded, memory: RetryMemory(),
                                           file: SavedFile(relativePath: claimed.fileName ?? "recordings/x.mp3", bytes: 4321, sha256: String(repeating: "ab", count: 32)),
                                           expectedBytes: 4321, now: written)
        let shown = t.waitFor(timeout: 5) { $0.components(separatedBy: "downloaded").count > before }
        let seconds = Date().timeIntervalSince(written)
        #expect(shown.ok, "\(shown.screen)")
        #expect(seconds < 1.0, "the worker's write took \(seconds) s to reach the screen")
        t.send("w")
        let pane = t.waitFor(timeout: 5) { $0.contains("box-7") && $0.contains("box-7.example") }
        #expect(pane.ok, "the workers pane lists the worker and its host: \(pane.screen)")
        t.send("Escape")
        t.send("q")
        #expect(t.waitFor(timeout: 5) { !$0.contains("postgres") }.ok, "q quits the dashboard")
    }
}

extension TeamModeTests {
    @Test(.timeLimit(.minutes(3)))
    func aWorkerKilledMidTranscriptionLosesTheJobToAnotherOnceItsLeaseExpires() async throws {
        let rig = try await rig(calls: 3)
        defer { Task { await rig.simulator.stop() } }
        let slowLog = URL(fileURLWithPath: NSTemporaryDirectory() + "calltop-team-slow-\(UUID().uuidString.prefix(8)).log")
        let fastLog = URL(fileURLWithPath: NSTemporaryDirectory() + "calltop-team-fast-\(UUID().uuidString.prefix(8)).log")
        let slow = ["CALLTOP_SPEECH_HOME": try WorkerCommandTests().countingSpeechHome(log: slowLog, delay: 60).path]
        let fast = ["CALLTOP_SPEECH_HOME": try WorkerCommandTests().countingSpeechHome(log: fastLog).path]
        let args = ["--downloads", "2", "--transcriptions", "1", "--sync-interval", "2", "--lease-seconds", "3"]
        let doomed = try WorkerProcess(env: rig.machine("doomed", slow), arguments: args + ["--name", "doomed"])
        let store = try rig.store()
        defer { store.close() }
        var victim: String?
        #expect(try await waitFor(60) {
            victim = try Set(rig.completed.map(\.callSid)).first { try store.offlineState($0) == .running }
            return victim != nil
        }, "\(doomed.stderr)")
        doomed.killHard()
        let call = try #require(victim)
        let survivor = try WorkerProcess(env: rig.machine("survivor", fast), arguments: args + ["--name", "survivor"])
        #expect(try await waitFor(90) { try store.offlineState(call) == .done(text: "hello there") }, "\(survivor.stderr)")
        #expect(survivor.terminate().0 == 0, "\(survivor.stderr)")
        // The killed worker never finished its job; the survivor did it once, under a newer fence.
        #expect(((try? String(contentsOf: slowLog, encoding: .utf8)) ?? "").isEmpty, "the doomed worker never finished a job")
        let done = try String(contentsOf: fastLog, encoding: .utf8).split(separator: "\n").filter { $0.contains(call) || $0.contains("recordings/") }
        #expect(!done.isEmpty)
        #expect(try store.claimTranscriptionJob(call, now: Date(), rule: .unlessFinished) == nil, "finished: no one takes it again")
    }
}

extension TeamModeTests {
    /// With shared storage (one recordings folder for every worker) no copy is ever fetched:
    /// two, then three workers download each recording once and transcribe each call once.
    @Test(.timeLimit(.minutes(4)), arguments: [2, 3])
    func workersSharingStorageDownloadOnceAndTranscribeOnce(workers count: Int) async throws {
        let rig = try await rig(calls: 10)
        defer { Task { await rig.simulator.stop() } }
        let log = URL(fileURLWithPath: NSTemporaryDirectory() + "calltop-team-shared-\(UUID().uuidString.prefix(8)).log")
        let shared = rig.machine("shared", ["CALLTOP_SPEECH_HOME": try WorkerCommandTests().countingSpeechHome(log: log).path])
        let args = ["--downloads", "2", "--transcriptions", "1", "--sync-interval", "2s"]
        let workers = try (0..<count).map { try WorkerProcess(env: shared, arguments: args + ["--name", "shared-\($0)"]) }
        let store = try rig.store()
        defer { store.close() }
        let transcribable = { try self.transcribable(rig, store) }
        let finished = try await waitFor(120) { try allDownloadedAndTranscribed(rig, store) }
        #expect(finished, "\(workers.map(\.stderr))")
        for worker in workers { #expect(worker.terminate().0 == 0, "\(worker.stderr)") }
        let gets = rig.mediaGets
        #expect(Set(gets.keys) == Set(rig.completed.map(\.sid)) && gets.values.allSatisfy { $0 == 1 }, "\(gets)")
        let jobs = try String(contentsOf: log, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(jobs.count == (try transcribable()).count && Set(jobs).count == jobs.count, "transcribed more than once: \(jobs)")
    }
}
