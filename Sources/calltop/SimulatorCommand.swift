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

    @Option(name: .customLong("latency-ms"), help: ArgumentHelp("Added to every API request (± 10 %), like a round trip from outside us1.", valueName: "ms"))
    var latencyMs = 0

    @Option(name: .customLong("max-concurrent"), help: ArgumentHelp("The account's REST concurrency limit: requests over it get 429 (20429).", valueName: "n"))
    var maxConcurrent: Int?

    @Option(help: "How many calls to generate.")
    var calls = 40

    @Option(help: "Seed for the generated data.")
    var seed: UInt64 = SimulatorConfig.defaultSeed

    func validate() throws {
        guard (0...60_000).contains(latencyMs) else { throw ValidationError("--latency-ms must be between 0 and 60000") }
        if let maxConcurrent, maxConcurrent < 1 { throw ValidationError("--max-concurrent must be 1 or more") }
    }

    func run() async throws {
        let rules: [ScenarioRule]
        do {
            rules = try scenario.map(ScenarioRule.parse)
        } catch {
            throw ValidationError("\(error)")
        }
        var config = SimulatorConfig(callCount: calls, seed: seed, scenarios: rules)
        config.port = port
        config.latencyMs = latencyMs
        config.maxConcurrent = maxConcurrent
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
