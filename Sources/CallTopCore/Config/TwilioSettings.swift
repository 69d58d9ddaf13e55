import Foundation

/// Credentials, region and edge decided from flags, the environment and a
/// Twilio CLI profile, with where each came from (`calltop doctor` prints it).
///
/// Precedence, as the Twilio CLI has it:
/// - `--region` / `--edge` flags always win;
/// - an explicit `--profile` wins over the environment;
/// - otherwise (no profile, or one named by `TWILIO_PROFILE`) the environment
///   variables win and the profile fills in what they leave out.
public struct TwilioSettings: Sendable {
    public var credentials: Credentials?
    public var region: String?
    public var edge: String?
    /// (what, where from), in display order: account, credentials, region, edge.
    public var sources: [(name: String, source: String)]

    public struct Inputs: Sendable {
        public var regionFlag: String?
        public var edgeFlag: String?
        public var profileFlag: String?
        public var environment: [String: String]
        public init(regionFlag: String? = nil, edgeFlag: String? = nil, profileFlag: String? = nil, environment: [String: String]) {
            self.regionFlag = regionFlag; self.edgeFlag = edgeFlag; self.profileFlag = profileFlag; self.environment = environment
        }
    }

    /// The profile's name, when one is asked for (`--profile`, else `TWILIO_PROFILE`).
    public static func profileName(_ inputs: Inputs) -> String? {
        nonEmpty(inputs.profileFlag) ?? nonEmpty(inputs.environment["TWILIO_PROFILE"])
    }

    /// Pure: `profile` is the parsed profile named by `profileName(inputs)`, if any;
    /// `profileOrigin` names its file for messages.
    public static func resolve(_ inputs: Inputs, profile: TwilioCLIProfile?, profileOrigin: String = "~/.twilio-cli/config.json")
        throws(ConfigError) -> TwilioSettings {
        let env = { (key: String) in nonEmpty(inputs.environment[key]) }
        let profileWins = nonEmpty(inputs.profileFlag) != nil && profile != nil
        let from = profile.map { "Twilio CLI profile '\($0.id)' (\(profileOrigin))" } ?? ""

        // One value: the winner of profile and environment, and where it came from.
        func pick(_ variable: String, _ fromProfile: String?) -> (String, String)? {
            let e = env(variable).map { ($0, "environment \(variable)") }
            let p = fromProfile.map { ($0, from) }
            return profileWins ? (p ?? e) : (e ?? p)
        }

        var sources: [(String, String)] = []
        let region = nonEmpty(inputs.regionFlag).map { ($0, "--region") } ?? pick("TWILIO_REGION", profile?.region)
        let edge = nonEmpty(inputs.edgeFlag).map { ($0, "--edge") } ?? pick("TWILIO_EDGE", profile?.edge)

        let credentials: Credentials?
        if profileWins, let profile {
            credentials = try profileCredentials(profile, env: env, origin: from)
            sources.append(("account", from))
            sources.append(("credentials", credentialSource(profile, credentials, env: env, from: from)))
        } else if env("TWILIO_ACCOUNT_SID") != nil {
            credentials = try Credentials.fromEnvironment(inputs.environment)
            sources.append(("account", "environment TWILIO_ACCOUNT_SID"))
            sources.append(("credentials", credentials?.kind == .apiKey
                ? "environment TWILIO_API_KEY + TWILIO_API_SECRET" : "environment TWILIO_AUTH_TOKEN"))
        } else if let profile {
            credentials = try profileCredentials(profile, env: env, origin: from)
            sources.append(("account", from))
            sources.append(("credentials", credentialSource(profile, credentials, env: env, from: from)))
        } else {
            credentials = nil
            sources.append(("account", "not set"))
            sources.append(("credentials", "not set"))
        }
        sources.append(("region", region?.1 ?? "default (us1)"))
        sources.append(("edge", edge?.1 ?? (region == nil ? "default" : "the region's default edge")))
        return TwilioSettings(credentials: credentials, region: region?.0, edge: edge?.0, sources: sources)
    }

    /// The profile's account with its API key and secret. The CLI usually keeps
    /// the secret in the OS keychain, where calltop cannot read it: then the
    /// secret comes from the environment, or the error says which variables to set.
    static func profileCredentials(_ profile: TwilioCLIProfile, env: (String) -> String?, origin: String)
        throws(ConfigError) -> Credentials {
        guard let account = profile.accountSid else {
            throw .missingCredentials("\(origin) has no accountSid; `twilio profiles:add` sets one")
        }
        if let key = profile.apiKey, let secret = profile.apiSecret {
            return try Credentials(accountSid: account, apiKey: key, apiSecret: secret)
        }
        if let secret = env("TWILIO_API_SECRET"), let key = profile.apiKey ?? env("TWILIO_API_KEY"),
           env("TWILIO_API_KEY") == nil || env("TWILIO_API_KEY") == key {
            return try Credentials(accountSid: account, apiKey: key, apiSecret: secret)
        }
        if let token = env("TWILIO_AUTH_TOKEN") {
            return try Credentials(accountSid: account, authToken: token)
        }
        let key = profile.apiKey.map { " (API key \($0))" } ?? ""
        throw .missingCredentials("""
            \(origin) holds no secret\(key): the Twilio CLI keeps it in the OS keychain, which calltop cannot read. \
            Export TWILIO_API_SECRET=…\(profile.apiKey == nil ? " with TWILIO_API_KEY=SK…" : "") or TWILIO_AUTH_TOKEN=… \
            for account \(account)
            """)
    }

    private static func credentialSource(_ profile: TwilioCLIProfile, _ credentials: Credentials?,
                                         env: (String) -> String?, from: String) -> String {
        if profile.hasSecret { return "\(from): API key + secret" }
        if credentials?.kind == .authToken { return "environment TWILIO_AUTH_TOKEN (the profile holds no secret)" }
        let key = profile.apiKey != nil ? "API key from the profile" : "environment TWILIO_API_KEY"
        return "\(key), secret from environment TWILIO_API_SECRET (the profile holds no secret)"
    }

    static func nonEmpty(_ s: String?) -> String? { s.flatMap { $0.isEmpty ? nil : $0 } }
}
