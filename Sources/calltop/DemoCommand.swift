import ArgumentParser
import CallTopCore
import CallTopSimulator
import CallTopWebhooks
import Foundation

struct DemoCommand: CallTopCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Open the dashboard on the built-in Twilio simulator: no account needed.",
        discussion: """
            Starts the simulator on a free 127.0.0.1 port with real synthesised audio and a mix of trouble:
            recordings not ready yet, one rate-limited, one that fails for good (an XML error instead of
            audio), one absent, and a few encrypted with Voice Recording Encryption (the demo supplies their
            private keys; one used a fallback key, one was never stored: 16105). Uses a fresh temporary data dir unless --data-dir is given.
            With --with-webhooks it also runs what `calltop serve` runs, in-process on 127.0.0.1, plus a test
            receiver for its deliveries, and plays Twilio's signed real-time transcription and recording
            status callbacks to it: recordings download as their callbacks arrive, realtime transcripts
            appear, offline ones replace them, and the list marks each call's delivery (✓ delivered,
            … pending, ✗ failing; ! where the two transcripts disagree).
            """)

    @Option(name: .customLong("data-dir"), help: ArgumentHelp("Keep the demo's store and recordings here.", valueName: "dir"))
    var dataDir: String?

    @Option(help: "How many calls the simulator makes up.")
    var calls = 40

    @Flag(name: .customLong("with-webhooks"), help: "Also run the webhook receiver and play Twilio's callbacks to it (the whole `calltop serve` flow).")
    var withWebhooks = false

    @OptionGroup var dashboard: DashboardOptions

    @Flag(name: .shortAndLong, help: "Also write the log to stderr.")
    var verbose = false

    func execute() async throws {
        let config = SimulatorConfig.demo(callCount: calls)
        let simulator = TwilioSimulator(config: config)
        _ = try await simulator.start()
        let dir = dataDir.map { URL(fileURLWithPath: $0, isDirectory: true) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("calltop-demo-\(UUID().uuidString.prefix(8))")
        // #15: the demo's encrypted calls open with the simulator's private keys (the fallback one included).
        let keys = FileManager.default.temporaryDirectory.appendingPathComponent("calltop-demo-keys-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: keys) }
        try simulator.writeRecordingKeys(to: keys)
        setenv(RecordingKeyring.environmentVariable, keys.path, 1)
        let workspace = try Workspace(
            dataDir: dir, host: try TwilioHost(apiBaseURL: simulator.baseURL),
            credentials: try Credentials(accountSid: config.accountSid, authToken: config.authToken), verbose: verbose)
        let webhooks = withWebhooks ? try await DemoWebhooks.start(simulator: simulator, workspace: workspace) : nil
        do {
            try await dashboard.open(workspace, isDemo: true)
        } catch {
            await webhooks?.stop()
            throw error
        }
        await webhooks?.stop()
        await simulator.stop()
        if dataDir == nil { try? FileManager.default.removeItem(at: dir) }
    }
}
