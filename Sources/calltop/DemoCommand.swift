import ArgumentParser
import CallTopCore
import CallTopSimulator
import Foundation

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Open the dashboard on the built-in Twilio simulator: no account needed.",
        discussion: """
            Starts the simulator on a free 127.0.0.1 port with real synthesised audio and a mix of trouble:
            recordings not ready yet, one rate-limited, one that fails for good (an XML error instead of
            audio), one absent. Uses a fresh temporary data dir unless --data-dir is given.
            """)

    @Option(name: .customLong("data-dir"), help: ArgumentHelp("Keep the demo's store and recordings here.", valueName: "dir"))
    var dataDir: String?

    @Option(help: "How many calls the simulator makes up.")
    var calls = 40

    @OptionGroup var dashboard: DashboardOptions

    @Flag(name: .shortAndLong, help: "Also write the log to stderr.")
    var verbose = false

    func run() async throws {
        do {
            let config = SimulatorConfig.demo(callCount: calls)
            let simulator = TwilioSimulator(config: config)
            _ = try await simulator.start()
            let dir = dataDir.map { URL(fileURLWithPath: $0, isDirectory: true) }
                ?? FileManager.default.temporaryDirectory.appendingPathComponent("calltop-demo-\(UUID().uuidString.prefix(8))")
            let workspace = try Workspace(
                dataDir: dir, host: try TwilioHost(apiBaseURL: simulator.baseURL),
                credentials: try Credentials(accountSid: config.accountSid, authToken: config.authToken), verbose: verbose)
            try await dashboard.open(workspace, isDemo: true)
            await simulator.stop()
            if dataDir == nil { try? FileManager.default.removeItem(at: dir) }
        } catch {
            throw Self.failing(error)
        }
    }
}
