import ArgumentParser
import CallTopSimulator
import Foundation

struct SimulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulator",
        abstract: "Run the built-in Twilio simulator on 127.0.0.1 (prints LISTENING <port> first).",
        discussion: """
            Point calltop at it with --api-base-url http://127.0.0.1:<port> and the printed credentials.
            \(ScenarioRule.syntaxHelp)
            """)

    @Option(help: "Port to listen on (0 = any free port).")
    var port = 0

    @Option(help: ArgumentHelp("A fault scenario, repeatable: NAME[=N][@TARGET].", valueName: "scenario"))
    var scenario: [String] = []

    @Option(help: "How many calls to generate.")
    var calls = 40

    @Option(help: "Seed for the generated data.")
    var seed: UInt64 = SimulatorConfig.defaultSeed

    func run() async throws {
        let rules: [ScenarioRule]
        do {
            rules = try scenario.map(ScenarioRule.parse)
        } catch {
            throw ValidationError("\(error)")
        }
        var config = SimulatorConfig(callCount: calls, seed: seed, scenarios: rules)
        config.port = port
        let simulator = TwilioSimulator(config: config)
        let bound = try await simulator.start()
        // #15: encrypted recordings need this run's private keys; they go in a private temporary folder.
        var keysLine = ""
        if rules.contains(where: { if case .encrypted = $0.scenario { true } else { false } }) {
            let keys = FileManager.default.temporaryDirectory.appendingPathComponent("calltop-simulator-keys-\(UUID().uuidString.prefix(8))")
            try simulator.writeRecordingKeys(to: keys)
            keysLine = "export CALLTOP_RECORDING_KEYS_DIR=\(keys.path)\n"
        }
        // Unbuffered: whoever started us reads the port from the first line.
        FileHandle.standardOutput.write(Data("""
            LISTENING \(bound)
            export CALLTOP_API_BASE_URL=http://127.0.0.1:\(bound)
            export TWILIO_ACCOUNT_SID=\(config.accountSid)
            export TWILIO_AUTH_TOKEN=\(config.authToken)
            \(keysLine)
            """.utf8))
        // Serve until killed.
        while !Task.isCancelled { try await Task.sleep(for: .seconds(3600)) }
    }
}
