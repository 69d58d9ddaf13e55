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
    struct Drained {
        var seconds: Double
        var ideal: Double
        var requests: Int
        var refused: Int
        var peak: Int
        var downloaded: Int
        /// When the first process was done: the rest ran alone on the account after it.
        var fastest: Double
        var refusedShare: Double { Double(refused) / Double(max(1, requests)) }
    }

    static var calltopPath: String {
        URL(fileURLWithPath: BenchMain.executablePath).deletingLastPathComponent().appendingPathComponent("calltop").path
    }

    static func drain(processes: Int, count: Int, latencyMs: Int, cap: Int, maxConcurrency: Int) async throws -> Drained {
        let (simulator, workspace, sids, tmp) = try await BacklogBench.backlog(count: count, latencyMs: latencyMs, cap: cap)
        defer { tmp.remove() }
        var environment = ProcessInfo.processInfo.environment
        for key in ["TWILIO_API_KEY", "TWILIO_API_SECRET", "TWILIO_REGION", "TWILIO_EDGE"] { environment[key] = nil }
        environment["CALLTOP_API_BASE_URL"] = simulator.baseURL
        environment["TWILIO_ACCOUNT_SID"] = simulator.config.accountSid
        environment["TWILIO_AUTH_TOKEN"] = simulator.config.authToken
        environment["CALLTOP_HOME"] = workspace.store.dataDir.path
        let slices = (0..<processes).map { p in stride(from: p, to: sids.count, by: processes).map { sids[$0] } }
        let before = simulator.requests().count
        let start = DispatchTime.now().uptimeNanoseconds
        let children = try slices.enumerated().map { index, slice in
            try Child(calltopPath, ["download", "--max-concurrency", String(maxConcurrency), "--wait", "60"] + slice,
                      environment: environment, name: "backlog-\(processes)p-\(index)")
        }
        // Each child is waited for on its own thread: a Process exit is only seen by waitUntilExit.
        let ended = await withTaskGroup(of: (Int32, Double, String).self) { group in
            for child in children {
                group.addTask {
                    await withCheckedContinuation { done in
                        DispatchQueue.global().async {
                            child.process.waitUntilExit()
                            done.resume(returning: (child.process.terminationStatus, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, child.output()))
                        }
                    }
                }
            }
            var all: [(Int32, Double, String)] = []
            for await one in group { all.append(one) }
            return all
        }
        let seconds = ended.map(\.1).max() ?? .nan
        let requests = Array(simulator.requests().dropFirst(before))
        let peak = simulator.peakInFlight
        await simulator.stop()
        for child in children { child.remove() }
        if let failed = ended.first(where: { $0.0 != 0 }) {
            throw BenchFailure("calltop download exited \(failed.0): \(failed.2.suffix(400))")
        }
        let downloaded = try Store(dataDir: workspace.store.dataDir).stateCounts()[.downloaded] ?? 0
        return Drained(seconds: seconds, ideal: Double(count) * Double(latencyMs) / 1000 / Double(cap), requests: requests.count,
                       refused: requests.filter { $0.status == 429 }.count, peak: peak, downloaded: downloaded,
                       fastest: ended.map(\.1).min() ?? .nan)
    }

    /// The same in one process: `workers` runners on one store, each with its own gate.
    static func drainWithGates(workers: Int, count: Int, latencyMs: Int, cap: Int, maxConcurrency: Int) async throws -> BacklogBench.Drained {
        let (simulator, workspace, sids, tmp) = try await BacklogBench.backlog(count: count, latencyMs: latencyMs, cap: cap)
        defer { tmp.remove() }
        let slices = (0..<workers).map { w in stride(from: w, to: sids.count, by: workers).map { sids[$0] } }
        let runners = try slices.map { _ in
            try workspace.downloadRunner(maxConcurrency: maxConcurrency,
                                         gate: AccountGate(limit: ConcurrencyLimit(initial: 4, maximum: maxConcurrency)))
        }
        let before = simulator.requests().count
        var downloaded = 0
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
                                    refused: requests.filter { $0.status == 429 }.count, peak: peak)
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
            let d = try await drain(processes: processes, count: count, latencyMs: 40, cap: 16, maxConcurrency: 32)
            guard d.downloaded >= count else { throw BenchFailure("\(processes) processes downloaded \(d.downloaded) of \(count)") }
            BenchLine.emit("backlog_\(processes)proc_vs_ideal", d.seconds / d.ideal, "ratio", goal: nil)
            BenchLine.emit("backlog_\(processes)proc_429_share", d.refusedShare * 100, "%", goal: nil)
            BenchLine.note(String(format: "%d calltop download processes, %d recordings each, 40 ms, cap 16: all done in %.2f s (first done %.2f s; ideal %.2f s incl. no process start), %d requests, %d answered 429, peak %d in flight",
                                  processes, count / processes, d.seconds, d.fastest, d.ideal, d.requests, d.refused, d.peak))
        }
    }

    /// One `calltop download` child, its output in a file (never a pipe that could fill).
    final class Child: @unchecked Sendable {  // Process: set up once, then only waited on
        let process: Process
        let logURL: URL

        init(_ executable: String, _ arguments: [String], environment: [String: String], name: String) throws {
            logURL = FileManager.default.temporaryDirectory.appendingPathComponent("calltop-bench-\(name)-\(UUID().uuidString)")
            FileManager.default.createFile(atPath: logURL.path, contents: nil)
            let log = try FileHandle(forWritingTo: logURL)
            process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            process.environment = environment
            process.standardOutput = log
            process.standardError = log
            process.standardInput = FileHandle.nullDevice
            try process.run()
            try? log.close()
        }

        func output() -> String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }
        func remove() { try? FileManager.default.removeItem(at: logURL) }
    }
}
