import CallTopSimulator
import Foundation
@testable import CallTopCore

/// A simulator on a free loopback port and a workspace pointed at it, with
/// retry schedules shrunk so fault scenarios play out in milliseconds.
struct SimulatorHarness {
    let simulator: TwilioSimulator
    let workspace: Workspace

    static let fastRetry = RetrySchedule(base: 0.01, cap: 0.05, maxAttempts: 8)
    static let fastNotReady = NotReadySchedule(delays: [0.05], window: 60)

    /// `reuse`: a workspace (and its store) from an earlier harness, pointed at this simulator.
    static func start(_ scenarios: [String] = [], calls: Int = 6, apiKey: Bool = false,
                      requestRetry: RequestRetry = RequestRetry(schedule: fastRetry), reuse: Workspace? = nil,
                      latencyMs: Int = 0, maxConcurrent: Int? = nil) async throws -> SimulatorHarness {
        var config = SimulatorConfig(callCount: calls, scenarios: try scenarios.map(ScenarioRule.parse))
        config.latencyMs = latencyMs
        config.maxConcurrent = maxConcurrent
        let simulator = TwilioSimulator(config: config)
        _ = try await simulator.start()
        let credentials = apiKey
            ? try Credentials(accountSid: config.accountSid, apiKey: config.apiKeySid, apiSecret: config.apiKeySecret)
            : try Credentials(accountSid: config.accountSid, authToken: config.authToken)
        let workspace = try Workspace(dataDir: reuse?.dataDir ?? temporaryDirectory(), host: try TwilioHost(apiBaseURL: simulator.baseURL),
                                      credentials: credentials, keepLogInMemory: true, requestRetry: requestRetry)
        return SimulatorHarness(simulator: simulator, workspace: workspace)
    }

    /// These suites run on the SQLite engine (`StoreContractTests` runs the shared rules on both).
    var store: Store { workspace.store as! Store }

    func sync(_ options: SyncService.Options = .init()) async throws -> SyncService.Report {
        try await workspace.syncService().run(options)
    }

    func download(_ sids: [String], wait: TimeInterval = 10, notReady: NotReadySchedule = fastNotReady) async throws -> DownloadRunner.Summary {
        try await workspace.downloadRunner(retry: Self.fastRetry, notReady: notReady).run(sids, options: .init(concurrency: 4, wait: wait))
    }

    /// The recording at `index`, newest call first, as the simulator counts them.
    func recording(_ index: Int) -> SimulatedRecording {
        simulator.recordings()[index]
    }

    func fileURL(_ relative: String) -> URL { workspace.dataDir.appendingPathComponent(relative) }

    func stop() async { await simulator.stop() }
}
