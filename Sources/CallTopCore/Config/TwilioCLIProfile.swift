import Foundation

/// One profile of the Twilio CLI's `~/.twilio-cli/config.json`, as that file
/// holds it. The CLI keeps the API secret in the OS keychain when it has one,
/// so `apiSecret` is often nil.
public struct TwilioCLIProfile: Sendable, Equatable {
    public var id: String
    public var accountSid: String?
    public var region: String?
    public var edge: String?
    public var apiKey: String?
    var apiSecret: String?

    public var hasSecret: Bool { apiSecret != nil }

    public init(id: String, accountSid: String? = nil, region: String? = nil, edge: String? = nil,
                apiKey: String? = nil, apiSecret: String? = nil) {
        self.id = id; self.accountSid = accountSid; self.region = region; self.edge = edge
        self.apiKey = apiKey; self.apiSecret = apiSecret
    }

    /// `$HOME/.twilio-cli/config.json`.
    public static func defaultConfigFile(_ env: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        let home = env["HOME"].flatMap { $0.isEmpty ? nil : $0 }.map { URL(fileURLWithPath: $0, isDirectory: true) }
            ?? FileManager.default.homeDirectoryForCurrentUser
        return home.appendingPathComponent(".twilio-cli/config.json")
    }

    private struct ConfigFile: Decodable {
        struct Profile: Decodable { var accountSid, region, edge, apiKey, apiSecret: String? }
        struct Project: Decodable { var id: String?; var accountSid, region: String? }
        var profiles: [String: Profile]?
        var projects: [Project]?
    }

    /// Profile `name` from the file's text: `profiles.NAME` first, the legacy
    /// `projects` array (id, accountSid, region) for what it leaves out.
    /// `origin` names the file in errors.
    public static func parse(_ data: Data, profile name: String, origin: String) throws(ConfigError) -> TwilioCLIProfile {
        let file: ConfigFile
        do {
            file = try JSONDecoder().decode(ConfigFile.self, from: data)
        } catch {
            throw .invalid("\(origin) is not the Twilio CLI's JSON config (\(Self.reason(error))); fix it or drop --profile/TWILIO_PROFILE")
        }
        let nonEmpty = { (s: String?) in s.flatMap { $0.isEmpty ? nil : $0 } }
        let modern = file.profiles?[name]
        let legacy = file.projects?.first { $0.id == name }
        guard modern != nil || legacy != nil else {
            let known = (Array(file.profiles?.keys ?? [:].keys) + (file.projects ?? []).compactMap(\.id)).sorted()
            let list = known.isEmpty ? "it has none" : "it has \(Set(known).sorted().joined(separator: ", "))"
            throw .invalid("no Twilio CLI profile '\(name)' in \(origin) (\(list)); `twilio profiles:list` shows them")
        }
        return TwilioCLIProfile(
            id: name,
            accountSid: nonEmpty(modern?.accountSid) ?? nonEmpty(legacy?.accountSid),
            region: nonEmpty(modern?.region) ?? nonEmpty(legacy?.region),
            edge: nonEmpty(modern?.edge),
            apiKey: nonEmpty(modern?.apiKey),
            apiSecret: nonEmpty(modern?.apiSecret))
    }

    private static func reason(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .dataCorrupted?: return "not valid JSON"
        case .typeMismatch(_, let c)?, .valueNotFound(_, let c)?, .keyNotFound(_, let c)?:
            return "unexpected value at \(c.codingPath.map(\.stringValue).joined(separator: "."))"
        default: return "unreadable"
        }
    }
}
