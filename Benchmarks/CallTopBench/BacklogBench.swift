import CallTopCore
import CallTopSimulator
import CallTopTUI
import Foundation
import Synchronization

/// The on-call moment after an outage: a backlog of recordings drained
/// against a simulator that adds a round trip to every request and caps the
/// account's concurrent requests, as Twilio does. The lower bound is one
/// request per recording, always `cap` in flight: count × latency / cap.
enum BacklogBench {
    static func run(count: Int) async throws {
        // The limit's first version (additive increase, halving) beside today's, on the same backlog.
        let classic = try await drain(count: count, latencyMs: 40, cap: 16, maxConcurrency: 32, tuning: .classicAIMD)
        BenchLine.emit("backlog_classic_aimd_vs_ideal", classic.seconds / classic.ideal, "ratio", goal: nil)
        BenchLine.note(classic.describe("classic AIMD (start 4, +1 per window, halving)", latencyMs: 40))
        for decrease in [0.7, 0.9] {
            var tuning = ConcurrencyLimit.Tuning()
            tuning.decrease = decrease
            let d = try await drain(count: count, latencyMs: 40, cap: 16, maxConcurrency: 32, tuning: tuning)
            BenchLine.note(d.describe(String(format: "decrease %.2f (slow start, account count, plateau)", decrease), latencyMs: 40))
        }
        var headerless = ConcurrencyLimit.Tuning()
        headerless.readsAccountCount = false
        let blind = try await drain(count: count, latencyMs: 40, cap: 16, maxConcurrency: 32, tuning: headerless)
        BenchLine.note(blind.describe("default tuning without reading Twilio-Concurrent-Requests", latencyMs: 40))

        let main = try await runMain(count: count)
        BenchLine.emit("backlog_vs_ideal", main.seconds / main.ideal, "ratio", goal: "<= 1.3")
        BenchLine.emit("tui_frame_p99_during_backlog_ms", main.frameP99Ms, "ms", goal: "<= 16", digits: 1)
        BenchLine.emit("backlog_429_share", main.refusedShare * 100, "%", goal: "<= 5")
        // The seed's path: one recording at a time, metadata then media, no retries. Sequential, so
        // its time is linear in the count: measured on a sample, scaled to the backlog.
        let sample = 60
        let seed = try await seedPath(sample: sample, latencyMs: 40)
        BenchLine.emit("backlog_vs_seed_path", seed * Double(count) / main.seconds, "x faster", goal: ">= 25")
        BenchLine.note(String(format: "backlog %d at 40 ms, cap 16: %.2f s (ideal %.2f s), %d requests, %d answered 429, peak %d in flight; seed path %.0f ms per recording over %d",
                              count, main.seconds, main.ideal, main.requests, main.refused, main.peak, seed * 1000, sample))
        let far = try await drain(count: count, latencyMs: 150, cap: 100, maxConcurrency: 128)
        BenchLine.emit("backlog_150ms_cap100_vs_ideal", far.seconds / far.ideal, "ratio", goal: nil)
        BenchLine.note(far.describe("backlog at 150 ms, cap 100, --max-concurrency 128", latencyMs: 150))
        try await BacklogProcessesBench.run(count: count)
    }

    /// The measured drain alone, with the dashboard watching: `calltop-bench backlog-main` runs just this.
    /// Its recordings go to tmpfs: the goal is about calltop against Twilio's limit. The same drain on
    /// this machine's disk follows, as information: there the kernel's inode allocator, after recent
    /// deletions (other benches, earlier runs), can take a third of the process's CPU (`removeAfterSection`).
    @discardableResult
    static func runMain(count: Int) async throws -> Drained {
        let main = try await drain(count: count, latencyMs: 40, cap: 16, maxConcurrency: 32, watchFrames: true)
        BenchLine.note(main.describe("default tuning (decrease 0.85, slow start, account count, plateau), recordings on tmpfs", latencyMs: 40))
        let disk = try await drain(count: count, latencyMs: 40, cap: 16, maxConcurrency: 32, watchFrames: true, onDisk: true)
        BenchLine.emit("backlog_on_disk_vs_ideal", disk.seconds / disk.ideal, "ratio", goal: nil)
        BenchLine.note(disk.describe("the same with the recordings on disk (\(ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"))", latencyMs: 40))
        return main
    }

    struct Drained {
        var seconds: Double
        var ideal: Double
        var requests: Int
        var refused: Int
        var peak: Int
        var frameP99Ms = Double.nan
        /// CPU time of this process (client and simulator both) during the run, user + system.
        var cpuSeconds = Double.nan
        var refusedShare: Double { Double(refused) / Double(max(1, requests)) }

        /// Requests answered (not refused) times the round trip, over the run: the mean in flight at the account.
        func meanInFlight(latencyMs: Int) -> Double { Double(requests - refused) * Double(latencyMs) / 1000 / seconds }

        func describe(_ what: String, latencyMs: Int) -> String {
            what + String(format: ": %.2f s = %.2f x ideal (%.2f s), mean %.1f in flight (peak %d), %d requests, %.1f %% answered 429",
                          seconds, seconds / ideal, ideal, meanInFlight(latencyMs: latencyMs), peak, requests, refusedShare * 100)
                + (cpuSeconds.isNaN ? "" : String(format: ", this process used %.1f CPU s (%.2f cores)", cpuSeconds, cpuSeconds / seconds))
        }
    }

    /// A simulator with enough calls for `count` completed recordings, synced into a fresh store.
    /// The gate for its account is made first, with `maxConcurrency` and `tuning`: the sync's
    /// client would otherwise make it with the default maximum, and the first one made sets it.
    static func backlog(count: Int, latencyMs: Int, cap: Int?, maxConcurrency: Int = 32, tuning: ConcurrencyLimit.Tuning = .init(),
                        onDisk: Bool = false) async throws -> (TwilioSimulator, Workspace, [String], TemporaryDirectory) {
        var config = SimulatorConfig(callCount: 40, scenarios: [try ScenarioRule.parse("many_calls=\(count * 2)")])
        config.latencyMs = latencyMs
        config.maxConcurrent = cap
        let simulator = TwilioSimulator(config: config)
        _ = try await simulator.start()
        let tmp = try TemporaryDirectory("backlog", inMemory: !onDisk)
        let host = try TwilioHost(apiBaseURL: simulator.baseURL)
        _ = AccountGate.shared(account: config.accountSid, host: host.baseURL, maximum: maxConcurrency, tuning: tuning)
        let workspace = try Workspace(dataDir: try tmp.subdirectory("data"), host: host,
                                      credentials: try Credentials(accountSid: config.accountSid, authToken: config.authToken))
        _ = try await workspace.syncService().run(.init(pageSize: 1000))
        let sids = Array(simulator.recordings().filter { $0.status == "completed" }.prefix(count).map(\.sid))
        guard sids.count == count else { throw BenchFailure("the simulator has \(sids.count) completed recordings, wanted \(count)") }
        return (simulator, workspace, sids, tmp)
    }

    static func drain(count: Int, latencyMs: Int, cap: Int, maxConcurrency: Int, tuning: ConcurrencyLimit.Tuning = .init(),
                      watchFrames: Bool = false, onDisk: Bool = false) async throws -> Drained {
        let (simulator, workspace, sids, tmp) = try await backlog(count: count, latencyMs: latencyMs, cap: cap,
                                                                  maxConcurrency: maxConcurrency, tuning: tuning, onDisk: onDisk)
        defer { tmp.removeAfterSection() }
        let before = simulator.requests().count
        let runner = try workspace.downloadRunner(maxConcurrency: maxConcurrency)
        var summary: DownloadRunner.Summary?
        var frames: [Double] = []
        let cpuBefore = processCPUSeconds()
        let seconds = await secondsTakenAsync {
            let work = Task { await runner.run(sids, options: .init(concurrency: maxConcurrency, wait: 120)) }
            if watchFrames { frames = await dashboardFrames(store: workspace.store, until: work) }
            summary = await work.value
        }
        let cpu = processCPUSeconds() - cpuBefore
        let requests = Array(simulator.requests().dropFirst(before))
        let peak = simulator.peakInFlight
        await simulator.stop()
        guard summary?.byState[.downloaded] == count else {
            throw BenchFailure("backlog ended \(String(describing: summary?.byState)) instead of \(count) downloaded")
        }
        var drained = Drained(seconds: seconds, ideal: Double(count) * Double(latencyMs) / 1000 / Double(cap),
                              requests: requests.count, refused: requests.filter { $0.status == 429 }.count, peak: peak)
        drained.cpuSeconds = cpu
        if !frames.isEmpty {
            let sorted = frames.sorted()
            drained.frameP99Ms = sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.99))]
            BenchLine.note(String(format: "dashboard during the backlog: %d frames, median %.2f ms, p99 %.2f ms, slowest %.2f ms (update with fresh rows + render 120x40)",
                                  sorted.count, sorted.median, drained.frameP99Ms, sorted.last ?? .nan))
        }
        return drained
    }

    static func processCPUSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    /// What the dashboard does while the backlog drains: rows reloaded from the
    /// store in the background as `RowReloadPacing` spaces them, and a frame every 16 ms that takes
    /// the newest rows, ticks and renders. Returns each frame's time in ms.
    static func dashboardFrames(store: any CallStore, until work: Task<DownloadRunner.Summary, Never>) async -> [Double] {
        final class Latest: Sendable {
            let rows = Mutex<[CallRow]?>(nil)
            let done = Mutex(false)
            let loadMs = Mutex<[Double]>([])
        }
        let latest = Latest()
        let loader = Task.detached {
            while !latest.done.withLock({ $0 }) {
                var rows: [CallRow]?
                let ms = secondsTaken { rows = try? store.callRows() } * 1000
                latest.loadMs.withLock { $0.append(ms) }
                if let rows { latest.rows.withLock { $0 = rows } }
                // The dashboard's own pacing while the store keeps changing.
                try? await Task.sleep(for: .seconds(RowReloadPacing.gap(afterLoadTaking: ms / 1000)))
            }
        }
        let size = TerminalSize(columns: 120, rows: 40)
        let utc = TimeZone(identifier: "UTC")!
        var state = DashboardState(context: DashboardContext(accountSid: "AC…", apiHost: "127.0.0.1", refreshSeconds: 30))
        _ = update(&state, .resize(size))
        var frames: [Double] = []
        var withRows: [Double] = [], applyingRows: [Double] = []
        let watcher = Task { _ = await work.value; latest.done.withLock { $0 = true } }
        while !latest.done.withLock({ $0 }) {
            let rows = latest.rows.withLock { r -> [CallRow]? in defer { r = nil }; return r }
            var apply = 0.0
            let frame = secondsTaken {
                _ = update(&state, .tick(now: Date()))
                if let rows { apply = secondsTaken { _ = update(&state, .rowsLoaded(rows)) } }
                precondition(render(state, size: size, now: Date(), timeZone: utc).size == size)
            } * 1000
            frames.append(frame)
            if rows != nil { withRows.append(frame); applyingRows.append(apply * 1000) }
            try? await Task.sleep(for: .milliseconds(16))
        }
        _ = await watcher.value
        loader.cancel()
        let without = frames.count - withRows.count
        BenchLine.note(String(format: "of those, %d frames took fresh rows: median %.2f ms (applying the rows %.2f ms), slowest %.2f ms; the other %d: tick + render only",
                              withRows.count, withRows.median, applyingRows.median, withRows.max() ?? .nan, without))
        let loads = latest.loadMs.withLock { $0 }
        BenchLine.note(String(format: "the loader read the list %d times: median %.1f ms, slowest %.1f ms (off the UI loop)",
                              loads.count, loads.median, loads.max() ?? .nan))
        BenchLine.note("backlog header at the end: \(state.backlog.label ?? "(no backlog)")")
        return frames
    }

    /// What the seed did: for each recording, GET its metadata, then GET its media, one after the other.
    static func seedPath(sample: Int, latencyMs: Int) async throws -> Double {
        let (simulator, _, sids, tmp) = try await backlog(count: sample, latencyMs: latencyMs, cap: nil)
        defer { tmp.removeAfterSection() }
        let session = CurlSession()
        let auth = "\(simulator.config.accountSid):\(simulator.config.authToken)"
        let base = simulator.baseURL + "/2010-04-01/Accounts/\(simulator.config.accountSid)/Recordings/"
        var failures = 0
        let seconds = try await secondsTakenAsync {
            for sid in sids {
                let (meta, _) = try await session.getData(base + sid + ".json", userPassword: auth)
                let media = try await session.get(base + sid + ".mp3", userPassword: auth) { _ in true }
                if meta.status != 200 || media.status != 200 { failures += 1 }
            }
        }
        await simulator.stop()
        if failures > 0 { throw BenchFailure("the seed path failed \(failures) of \(sample) recordings") }
        return seconds / Double(sample)
    }
}
