import CallTopCore
import CallTopSimulator
import Foundation

/// Several `calltop download` processes draining one backlog against one
/// account (one simulator, one cap), each with its own gate: does the sum of
/// per-process AIMD converge on the account's limit, or would the processes
/// need a shared budget? Each process gets its own slice of the recordings
/// (as workers on several machines would), so the last one to finish has the
/// account to itself and must grow into the room the others left.
enum BacklogProcessesBench {
    static var calltopPath: String {
        URL(fileURLWithPath: BenchMain.executablePath).deletingLastPathComponent().appendingPathComponent("calltop").path
    }

    /// Returns the run, how many were downloaded, and when the first process was done
    /// (the others had the account to themselves after it).
    static func drain(processes: Int, count: Int, latencyMs: Int, cap: Int,
                      maxConcurrency: Int) async throws -> (BacklogBench.Drained, downloaded: Int, firstDone: Double) {
        let (simulator, workspace, sids, tmp) = try await BacklogBench.backlog(count: count, latencyMs: latencyMs, cap: cap)
        defer { tmp.removeAfterSection() }
        var environment = ProcessInfo.processInfo.environment
        for key in ["TWILIO_API_KEY", "TWILIO_API_SECRET", "TWILIO_REGION", "TWILIO_EDGE"] { environment[key] = nil }
        environment["CALLTOP_API_BASE_URL"] = simulator.baseURL
        environment["TWILIO_ACCOUNT_SID"] = simulator.config.accountSid
        environment["TWILIO_AUTH_TOKEN"] = simulator.config.authToken
        environment["CALLTOP_HOME"] = workspace.store.dataDir.path
        let slices = (0..<processes).map { p in stride(from: p, to: sids.count, by: processes).map { sids[$0] } }
        let before = simulator.requests().count
        let environmentNow = environment
        // All children at once, each waited for on its own Dispatch thread (ChildProcess.run blocks).
        let ended = await withTaskGroup(of: ChildProcess.Outcome?.self) { group in
            for slice in slices {
                group.addTask {
                    await withCheckedContinuation { done in
                        DispatchQueue.global().async {
                            done.resume(returning: try? ChildProcess.run(calltopPath, ["download", "--max-concurrency", String(maxConcurrency), "--wait", "60"] + slice,
                                                                         environment: environmentNow))
                        }
                    }
                }
            }
            var all: [ChildProcess.Outcome?] = []
            for await one in group { all.append(one) }
            return all
        }
        let requests = Array(simulator.requests().dropFirst(before))
        let peak = simulator.peakInFlight
        await simulator.stop()
        let outcomes = ended.compactMap { $0 }
        guard outcomes.count == processes else { throw BenchFailure("could not start \(processes - outcomes.count) of \(processes) calltop processes") }
        if let failed = outcomes.first(where: { $0.status != 0 }) {
            throw BenchFailure("calltop download exited \(failed.status): \(failed.output.suffix(400))")
        }
        let downloaded = try Store(dataDir: workspace.store.dataDir).stateCounts()[.downloaded] ?? 0
        let drained = BacklogBench.Drained(seconds: outcomes.map(\.seconds).max() ?? .nan, ideal: Double(count) * Double(latencyMs) / 1000 / Double(cap),
                                           requests: requests.count, refused: requests.filter { $0.status == 429 }.count, peak: peak)
        return (drained, downloaded, outcomes.map(\.seconds).min() ?? .nan)
    }

    /// The same in one process: `workers` runners on one store, each with its own gate.
    static func drainWithGates(workers: Int, count: Int, latencyMs: Int, cap: Int, maxConcurrency: Int) async throws -> BacklogBench.Drained {
        let (simulator, workspace, sids, tmp) = try await BacklogBench.backlog(count: count, latencyMs: latencyMs, cap: cap)
        defer { tmp.removeAfterSection() }
        let slices = (0..<workers).map { w in stride(from: w, to: sids.count, by: workers).map { sids[$0] } }
        let runners = try slices.map { _ in
            try workspace.downloadRunner(maxConcurrency: maxConcurrency,
                                         gate: AccountGate(limit: ConcurrencyLimit(initial: 4, maximum: maxConcurrency)))
        }
        let before = simulator.requests().count
        var downloaded = 0
        let cpuBefore = BacklogBench.processCPUSeconds()
        let seconds = await secondsTakenAsync {
            downloaded = await withTaskGroup(of: Int.self) { group in
                for (runner, slice) in zip(runners, slices) {
                    group.addTask { await runner.run(slice, options: .init(concurrency: maxConcurrency, wait: 120)).byState[.downloaded] ?? 0 }
                }
                return await group.reduce(0, +)
            }
        }
        let requests = Array(simulator.requests().dropFirst(before))
        let peak = simulator.peakInFlight
        await simulator.stop()
        guard downloaded == count else { throw BenchFailure("\(workers) gates downloaded \(downloaded) of \(count)") }
        return BacklogBench.Drained(seconds: seconds, ideal: Double(count) * Double(latencyMs) / 1000 / Double(cap), requests: requests.count,
                                    refused: requests.filter { $0.status == 429 }.count, peak: peak,
                                    cpuSeconds: BacklogBench.processCPUSeconds() - cpuBefore)
    }

    static func run(count: Int) async throws {
        for workers in [2, 4] {
            let d = try await drainWithGates(workers: workers, count: count, latencyMs: 40, cap: 16, maxConcurrency: 32)
            BenchLine.emit("backlog_\(workers)gates_vs_ideal", d.seconds / d.ideal, "ratio", goal: nil)
            BenchLine.emit("backlog_\(workers)gates_429_share", d.refusedShare * 100, "%", goal: nil)
            BenchLine.note(d.describe("\(workers) runners in one process, each its own gate, 40 ms, cap 16", latencyMs: 40))
        }
        guard FileManager.default.isExecutableFile(atPath: calltopPath) else {
            BenchLine.note("backlog with several processes skipped: \(calltopPath) not built (make bench builds it)")
            return
        }
        for processes in [1, 2, 4] {
            let (d, downloaded, firstDone) = try await drain(processes: processes, count: count, latencyMs: 40, cap: 16, maxConcurrency: 32)
            guard downloaded >= count else { throw BenchFailure("\(processes) processes downloaded \(downloaded) of \(count)") }
            BenchLine.emit("backlog_\(processes)proc_vs_ideal", d.seconds / d.ideal, "ratio", goal: nil)
            BenchLine.emit("backlog_\(processes)proc_429_share", d.refusedShare * 100, "%", goal: nil)
            BenchLine.note(d.describe(String(format: "%d calltop download processes, %d recordings each, 40 ms, cap 16 (first done after %.2f s; process start included)",
                                             processes, count / processes, firstDone), latencyMs: 40))
        }
    }
}
