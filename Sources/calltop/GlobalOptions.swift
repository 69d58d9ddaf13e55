import ArgumentParser
import CallTopCore
import Foundation

/// Options every command takes. Credentials are never flags (flags show in `ps`).
struct GlobalOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: ArgumentHelp("Where the store, recordings and log live (env CALLTOP_HOME; default ~/.local/share/calltop).", valueName: "dir"))
    var dataDir: String?

    @Option(name: .customLong("api-base-url"), help: ArgumentHelp("Talk to this host instead of Twilio's (a simulator or proxy; env CALLTOP_API_BASE_URL). Plain http only for loopback.", valueName: "url"))
    var apiBaseURL: String?

    @Option(help: ArgumentHelp("Twilio region, e.g. ie1 (env TWILIO_REGION). Set the edge too.", valueName: "region"))
    var region: String?

    @Option(help: ArgumentHelp("Twilio edge, e.g. dublin (env TWILIO_EDGE).", valueName: "edge"))
    var edge: String?

    @Option(help: ArgumentHelp("A Twilio CLI profile from ~/.twilio-cli/config.json (env TWILIO_PROFILE). With --profile it wins over the TWILIO_* variables; the secret comes from the file or TWILIO_API_SECRET / TWILIO_AUTH_TOKEN.", valueName: "name"))
    var profile: String?

    @Flag(name: .shortAndLong, help: "Also write the log to stderr.")
    var verbose = false

    /// Credentials, region and edge from the flags, the environment and the Twilio CLI profile, with their sources.
    func twilioSettings(env: [String: String] = ProcessInfo.processInfo.environment) throws -> TwilioSettings {
        let inputs = TwilioSettings.Inputs(regionFlag: region, edgeFlag: edge, profileFlag: profile, environment: env)
        var profile: TwilioCLIProfile?
        let file = TwilioCLIProfile.defaultConfigFile(env)
        if let name = TwilioSettings.profileName(inputs) {
            guard let data = FileManager.default.contents(atPath: file.path) else {
                throw ConfigError.invalid("profile '\(name)' asked for, but there is no \(file.path) (the Twilio CLI writes it: `twilio profiles:add`)")
            }
            profile = try TwilioCLIProfile.parse(data, profile: name, origin: file.path)
        }
        return try TwilioSettings.resolve(inputs, profile: profile, profileOrigin: file.path)
    }

    /// Builds the workspace. Credentials are optional here: commands that need
    /// them ask the workspace for a client and get the "how to set them" error.
    func workspace(env: [String: String] = ProcessInfo.processInfo.environment) throws -> Workspace {
        let value = { (key: String) in env[key].flatMap { $0.isEmpty ? nil : $0 } }
        // No credentials at all is fine until a command needs Twilio; half-set ones are an error now.
        let settings = try twilioSettings(env: env)
        let host = try TwilioHost(region: settings.region, edge: settings.edge,
                                  apiBaseURL: apiBaseURL ?? value("CALLTOP_API_BASE_URL"))
        let credentials = settings.credentials
        let dir = dataDir.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? Workspace.defaultDataDir(env)
        let workspace = try Workspace(dataDir: dir, host: host, credentials: credentials, verbose: verbose,
                                      secrets: Redactor.environmentSecrets(env))
        for warning in workspace.warnings { FileHandle.standardError.write(Data("calltop: warning: \(warning)\n".utf8)) }
        return workspace
    }
}
