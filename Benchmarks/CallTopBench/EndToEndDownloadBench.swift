import CallTopCore
import CallTopSimulator
import Foundation

/// Information: the real `calltop` binary end to end — `calltop simulator`
/// in its own process, then `calltop sync` and `calltop download --pending`
/// into a fresh data dir per round. Simulator recordings are small (seconds
/// of 8 kHz speech), so this is mostly per-recording overhead.
enum EndToEndDownloadBench {
    static func run(rounds: Int, calls: Int) throws {
        let calltop = URL(fileURLWithPath: BenchMain.executablePath).deletingLastPathComponent().appendingPathComponent("calltop").path
        guard FileManager.default.isExecutableFile(atPath: calltop) else {
            BenchLine.note("e2e download skipped: \(calltop) not built (make bench builds it)")
            return
        }
        let simulator = try ListeningServer(calltop, ["simulator", "--port", "0", "--calls", String(calls)], timeout: 60)
        defer { simulator.stop() }
        let tmp = try TemporaryDirectory("e2e")
        defer { tmp.remove() }

        var baseEnvironment = ProcessInfo.processInfo.environment
        for key in ["TWILIO_API_KEY", "TWILIO_API_SECRET", "TWILIO_REGION", "TWILIO_EDGE"] { baseEnvironment[key] = nil }
        baseEnvironment["CALLTOP_API_BASE_URL"] = "http://127.0.0.1:\(simulator.port)"
        baseEnvironment["TWILIO_ACCOUNT_SID"] = SimulatorConfig.defaultAccountSid
        baseEnvironment["TWILIO_AUTH_TOKEN"] = SimulatorConfig.defaultAuthToken

        var perRecording: [Double] = [], totals: [Double] = [], syncs: [Double] = []
        var recordings = 0
        var bytes: Int64 = 0
        // Round 0 is a warm-up: the simulator synthesises and caches its audio on first use.
        for round in 0...rounds {
            let dataDir = try tmp.subdirectory("data-\(round)")
            var env = baseEnvironment
            env["CALLTOP_HOME"] = dataDir.path
            let sync = try ChildProcess.run(calltop, ["sync"], environment: env)
            guard sync.status == 0 else { throw BenchFailure("calltop sync exited \(sync.status): \(sync.output.suffix(400))") }
            let download = try ChildProcess.run(calltop, ["download", "--pending", "--wait", "10"], environment: env)
            guard download.status == 0 else { throw BenchFailure("calltop download exited \(download.status): \(download.output.suffix(400))") }
            let store = try Store(dataDir: dataDir)
            let downloaded = try store.stateCounts()[.downloaded] ?? 0
            guard downloaded > 0 else { throw BenchFailure("calltop download saved nothing") }
            if round > 0 {
                perRecording.append(download.seconds / Double(downloaded))
                totals.append(download.seconds)
                syncs.append(sync.seconds)
                recordings = downloaded
                bytes = try store.callRows().compactMap(\.bytes).reduce(0, +)
            }
        }
        BenchLine.emit("e2e_download_per_recording_ms", perRecording.median * 1000, "ms", goal: nil, digits: 1)
        BenchLine.note(String(format: "e2e: calltop download --pending of %d recordings (%.1f MB in all, concurrency 4): median %.2f s over %d rounds; calltop sync %.2f s",
                              recordings, Double(bytes) / 1e6, totals.median, rounds, syncs.median))
    }
}
