import CallTopCore
import CallTopSimulator
import Foundation

/// Figure 3 (information): `SyncService` against an in-process `TwilioSimulator`
/// with `many_calls=N`, wired as Tests/CallTopCoreTests/SimulatorHarness.swift
/// does. Both share this process and the 2 cores, so the figure includes the
/// simulator's own cost of generating and serving pages.
enum SyncThroughputBench {
    static func run(calls: Int) async throws {
        let config = SimulatorConfig(callCount: 40, scenarios: [try ScenarioRule.parse("many_calls=\(calls)")])
        let simulator = TwilioSimulator(config: config)
        _ = try await simulator.start()
        let tmp = try TemporaryDirectory("sync")
        defer { tmp.remove() }
        let workspace = try Workspace(dataDir: try tmp.subdirectory("data"), host: try TwilioHost(apiBaseURL: simulator.baseURL),
                                      credentials: try Credentials(accountSid: config.accountSid, authToken: config.authToken))
        let service = try workspace.syncService()

        var first: SyncService.Report?
        var failure: String?
        let firstSeconds = await secondsTakenAsync {
            do { first = try await service.run() } catch { failure = "\(error)" }
        }
        var second: SyncService.Report?
        let secondSeconds = await secondsTakenAsync {
            do { second = try await service.run() } catch { failure = failure ?? "\(error)" }
        }
        await simulator.stop()
        if let failure { throw BenchFailure("sync against the simulator failed: \(failure)") }
        guard let first, let second else { throw BenchFailure("sync returned no report") }

        BenchLine.emit("sync_calls_per_s_\(calls / 1000)k", Double(first.calls) / firstSeconds, "calls/s", goal: nil, digits: 0)
        BenchLine.emit("sync_second_run_\(calls / 1000)k_s", secondSeconds, "s", goal: nil)
        BenchLine.note(String(format: "sync: %d calls + %d recordings in %d pages, %.1f s; second sync %d new calls, %d new recordings (expected 0, 0)",
                              first.calls, first.recordings, first.pages, firstSeconds, second.newCalls, second.newRecordings))
    }
}
