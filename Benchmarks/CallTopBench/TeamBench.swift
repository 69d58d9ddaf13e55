import CallTopCore
import CallTopSimulator
import CallTopTestSupport
import Foundation
import Synchronization

/// Team mode (#12), side by side in one run on one throwaway PostgreSQL:
/// download throughput with 1, 2 and 4 `calltop worker` processes against a
/// simulator whose latency makes the work I/O-bound (each worker its own data
/// dir, as on separate machines); jobs done twice; the latency of a batch
/// claim with 4 claimers racing; commit-to-listener latency of NOTIFY.
enum TeamBench {
    static func run(count: Int, latencyMs: Int) async throws {
        guard FileManager.default.isExecutableFile(atPath: BacklogProcessesBench.calltopPath) else {
            BenchLine.note("team skipped: \(BacklogProcessesBench.calltopPath) not built (make bench builds it)")
            return
        }
        let cluster = try ThrowawayPostgres.shared()
        var seconds: [Int: Double] = [:]
        var doneTwice = 0
        for workers in [1, 2, 4] {
            let run = try await drain(workers: workers, count: count, latencyMs: latencyMs, cluster: cluster)
            seconds[workers] = run.seconds
            doneTwice += run.doneTwice
            BenchLine.note(String(format: "%d worker(s) × 4 downloads, %d recordings at %d ms: %.2f s after a %.2f s start-up, %.0f recordings/s, %.2f requests each",
                                  workers, count, latencyMs, run.seconds, run.startUp, Double(count) / run.seconds, run.requestsPerRecording))
        }
        let one = seconds[1] ?? .nan
        BenchLine.emit("team_download_scaleout_2_vs_1", one / (seconds[2] ?? .nan), "ratio", goal: nil)
        BenchLine.emit("team_download_scaleout_4_vs_1", one / (seconds[4] ?? .nan), "ratio", goal: ">= 3.6")
        BenchLine.emit("team_jobs_done_twice", Double(doneTwice), "jobs", goal: "<= 0", digits: 0)
        try await claimLatency(cluster: cluster, recordings: 2_000, claimers: 4)
        try await transcriptionScaling(cluster: cluster, calls: 8)
        try notifyLatency(cluster: cluster, writes: 200)
    }

    struct Drained {
        var seconds: Double
        var doneTwice: Int
        var startUp: Double
        var requestsPerRecording: Double
    }

    /// A simulator with `count` recordings, synced into a fresh database (all pending).
    static func syncedBacklog(count: Int, latencyMs: Int, cluster: ThrowawayPostgres, tmp: TemporaryDirectory)
        async throws -> (TwilioSimulator, SimulatorConfig, Workspace, String) {
        var config = SimulatorConfig(callCount: 10, scenarios: [try ScenarioRule.parse("many_calls=\(count * 2)")])
        config.latencyMs = latencyMs
        let simulator = TwilioSimulator(config: config)
        _ = try await simulator.start()
        let database = try cluster.freshDatabase()
        let workspace = try Workspace(dataDir: try tmp.subdirectory("laptop"), host: try TwilioHost(apiBaseURL: simulator.baseURL),
                                      credentials: try Credentials(accountSid: config.accountSid, authToken: config.authToken),
                                      environment: ["CALLTOP_DATABASE_URL": database.text])
        _ = try await workspace.syncService().run(.init(pageSize: 1000))
        let pending = try workspace.store.recordingSids(inState: [.pending]).count
        guard pending >= count else { throw BenchFailure("the backlog has \(pending) pending recordings, wanted \(count)") }
        return (simulator, config, workspace, database.text)
    }

    /// `count` `calltop worker` processes on the team's database, each with its own data dir (a machine of its own).
    static func startWorkers(_ count: Int, _ options: [String], name: String, simulator: TwilioSimulator, config: SimulatorConfig,
                             databaseURL: String, tmp: TemporaryDirectory) throws -> [Process] {
        var environment = ProcessInfo.processInfo.environment
        for key in ["TWILIO_API_KEY", "TWILIO_API_SECRET", "TWILIO_REGION", "TWILIO_EDGE"] { environment[key] = nil }
        environment["CALLTOP_API_BASE_URL"] = simulator.baseURL
        environment["TWILIO_ACCOUNT_SID"] = config.accountSid
        environment["TWILIO_AUTH_TOKEN"] = config.authToken
        environment["CALLTOP_DATABASE_URL"] = databaseURL
        return try (0..<count).map { i in
            environment["CALLTOP_HOME"] = try tmp.subdirectory("\(name)-machine-\(i)").path
            let p = Process()
            p.executableURL = URL(fileURLWithPath: BacklogProcessesBench.calltopPath)
            p.arguments = ["worker"] + options + ["--sync-interval", "1h", "--name", "\(name)-\(i)"]
            p.environment = environment
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            return p
        }
    }

    /// Starts `workers` worker processes on a synced backlog and times them until every recording is downloaded.
    static func drain(workers: Int, count: Int, latencyMs: Int, cluster: ThrowawayPostgres) async throws -> Drained {
        let tmp = try TemporaryDirectory("team")
        defer { tmp.remove() }
        let (simulator, config, workspace, databaseURL) = try await syncedBacklog(count: count, latencyMs: latencyMs, cluster: cluster, tmp: tmp)
        defer { Task { await simulator.stop() } }
        let store = workspace.store
        let wanted = try store.recordingSids(inState: [.pending]).count
        let before = simulator.requests().count
        let start = DispatchTime.now().uptimeNanoseconds
        let processes = try startWorkers(workers, ["--downloads", "4", "--transcriptions", "0"], name: "bench-\(workers)",
                                         simulator: simulator, config: config, databaseURL: databaseURL, tmp: tmp)
        defer { for p in processes where p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        // Throughput is timed from when every worker has registered: process start-up is not download work.
        var startedAt = start
        while (try store.workers().count) < workers {
            guard processes.allSatisfy(\.isRunning) else { throw BenchFailure("a worker exited at start") }
            try await Task.sleep(for: .milliseconds(10))
            startedAt = DispatchTime.now().uptimeNanoseconds
        }
        let startUp = Double(startedAt - start) / 1e9
        let deadline = Date().addingTimeInterval(600)
        while (try store.stateCounts()[.downloaded] ?? 0) < wanted {
            guard Date() < deadline, processes.allSatisfy(\.isRunning) else { throw BenchFailure("\(workers) workers did not drain the backlog") }
            try await Task.sleep(for: .milliseconds(50))
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - startedAt) / 1e9
        for p in processes { kill(p.processIdentifier, SIGTERM) }
        let media = simulator.requests().dropFirst(before).filter { $0.isMedia && $0.status == 200 }
        let perRecording = Dictionary(grouping: media, by: { $0.recordingSid ?? "?" }).mapValues(\.count)
        (store as? PostgresStore)?.close()
        let requests = simulator.requests().dropFirst(before).count
        return Drained(seconds: seconds, doneTwice: perRecording.values.reduce(0) { $0 + max(0, $1 - 1) }, startUp: startUp,
                       requestsPerRecording: Double(requests) / Double(wanted))
    }

    /// 1, then 2 workers transcribing the same calls with the real engine (Whisper base) on this machine's
    /// cores: reported, not a goal (two workers on 2 cores share them).
    static func transcriptionScaling(cluster: ThrowawayPostgres, calls: Int) async throws {
        guard SpeechEnvironment.locate().installationProblem() == nil else {
            BenchLine.note("transcription scaling skipped: no speech engine (make setup)")
            return
        }
        var seconds: [Int: Double] = [:]
        for workers in [1, 2] {
            let tmp = try TemporaryDirectory("team-stt")
            defer { tmp.remove() }
            let (simulator, config, workspace, databaseURL) = try await syncedBacklog(count: calls, latencyMs: 0, cluster: cluster, tmp: tmp)
            defer { Task { await simulator.stop() } }
            let store = workspace.store
            // Only `calls` recordings are queued for transcription: the rest stay pending, out of the way.
            let targets = Array(try store.recordingSids(inState: [.pending]).prefix(calls))
            let others = try store.recordingSids(inState: [.pending]).filter { !targets.contains($0) }
            try (store as? PostgresStore)?.writing { db in
                for sid in others { try db.execute("UPDATE recordings SET download_state = 'absent' WHERE sid = ?", [sid]) }
            }
            let processes = try startWorkers(workers, ["--downloads", "2", "--transcriptions", "1"], name: "stt-\(workers)",
                                             simulator: simulator, config: config, databaseURL: databaseURL, tmp: tmp)
            defer { for p in processes where p.isRunning { kill(p.processIdentifier, SIGKILL) } }
            let start = DispatchTime.now().uptimeNanoseconds
            let callSids = try targets.compactMap { try store.recording($0)?.callSid }
            let deadline = Date().addingTimeInterval(900)
            while try !callSids.allSatisfy({ if case .done = try store.offlineState($0) { true } else if case .empty = try store.offlineState($0) { true } else { false } }) {
                guard Date() < deadline, processes.allSatisfy(\.isRunning) else { throw BenchFailure("\(workers) worker(s) did not transcribe the calls") }
                try await Task.sleep(for: .milliseconds(200))
            }
            seconds[workers] = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            for p in processes { kill(p.processIdentifier, SIGTERM) }
            (store as? PostgresStore)?.close()
            BenchLine.note(String(format: "%d worker(s) transcribing %d calls with Whisper base: %.1f s (model loads included)", workers, calls, seconds[workers]!))
        }
        BenchLine.emit("team_transcription_2_vs_1", (seconds[1] ?? .nan) / (seconds[2] ?? .nan), "ratio", goal: nil)
    }

    /// `claimers` processes' worth of stores (their own connections and owners), each on its
    /// own thread, claiming batches of 4 until nothing is left: the p99 of one claim.
    static func claimLatency(cluster: ThrowawayPostgres, recordings: Int, claimers: Int) async throws {
        let tmp = try TemporaryDirectory("team-claims")
        defer { tmp.remove() }
        let (simulator, _, workspace, databaseURL) = try await syncedBacklog(count: recordings, latencyMs: 0, cluster: cluster, tmp: tmp)
        await simulator.stop()
        (workspace.store as? PostgresStore)?.close()
        let url = try DatabaseURL.parse(databaseURL)
        let now = Date()
        let timings = Mutex<[Double]>([])
        let claimed = Mutex<Set<String>>([])
        let twice = Atomic<Int>(0)
        let stores = try (0..<claimers).map { i in
            try PostgresStore(url: url, dataDir: try tmp.subdirectory("c\(i)"), owner: LeaseOwner(host: "bench-\(i)", pid: Int32(i + 1), token: "claims"))
        }
        DispatchQueue.concurrentPerform(iterations: claimers) { i in
            while true {
                let t0 = DispatchTime.now().uptimeNanoseconds
                let batch = (try? blocking { try await stores[i].claimDueDownloads(limit: 4, now: now) }) ?? []
                timings.withLock { $0.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6) }
                if batch.isEmpty { break }
                claimed.withLock { set in for r in batch where !set.insert(r.sid).inserted { twice.add(1, ordering: .relaxed) } }
            }
        }
        for s in stores { s.close() }
        let sorted = timings.withLock { $0 }.sorted()
        let p99 = sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.99))]
        BenchLine.emit("team_claim_p99_ms", p99, "ms", goal: nil)
        BenchLine.note(String(format: "%d claimers, batches of 4, %d recordings: %d claims, median %.2f ms, %d claimed twice",
                              claimers, recordings, sorted.count, sorted.median, twice.load(ordering: .relaxed)))
    }

    /// One store commits, another (its own connections, LISTENing) sees its change stamp move:
    /// the p99 of commit to stamp, plus the dashboard's 200 ms look in team mode for "to screen".
    static func notifyLatency(cluster: ThrowawayPostgres, writes: Int) throws {
        let database = try cluster.freshDatabase()
        let tmp = try TemporaryDirectory("team-notify")
        defer { tmp.remove() }
        let writer = try PostgresStore(url: database.url, dataDir: try tmp.subdirectory("w"))
        let watcher = try PostgresStore(url: database.url, dataDir: try tmp.subdirectory("r"))
        defer { writer.close(); watcher.close() }
        _ = watcher.changeStamp()  // opens the listening connection
        var latencies: [Double] = []
        for n in 0..<writes {
            let before = watcher.changeStamp()
            let t0 = DispatchTime.now().uptimeNanoseconds
            try writer.setSyncMark("bench-\(n)", Date())
            while watcher.changeStamp() == before {
                guard DispatchTime.now().uptimeNanoseconds - t0 < 5_000_000_000 else { throw BenchFailure("no NOTIFY within 5 s") }
                usleep(200)
            }
            latencies.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
        }
        let sorted = latencies.sorted()
        let p99 = sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.99))]
        BenchLine.emit("team_notify_commit_to_listener_p99_ms", p99, "ms", goal: nil)
        BenchLine.emit("team_notify_p99_ms", p99 + 200, "ms", goal: "<= 1000")
        BenchLine.note(String(format: "NOTIFY: %d writes, commit to listener median %.2f ms, p99 %.2f ms; to screen adds at most the dashboard's 200 ms look",
                              writes, sorted.median, p99))
    }

    /// Runs async store work from a Dispatch thread (the bench's racers are threads, not tasks).
    static func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let result = Mutex<Result<T, any Error>?>(nil)
        Task.detached {
            let r: Result<T, any Error>
            do { r = .success(try await body()) } catch { r = .failure(error) }
            result.withLock { $0 = r }
            done.signal()
        }
        done.wait()
        return try result.withLock { $0! }.get()
    }
}
