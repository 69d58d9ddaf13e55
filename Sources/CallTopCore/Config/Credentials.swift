import Foundation

/// Basic-auth credentials. Read from the environment only (flags show in `ps`).
/// `description` never includes the secret, so string interpolation is safe.
public struct Credentials: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public enum Kind: String, Sendable { case authToken = "Account SID + Auth Token", apiKey = "API key + secret" }

    public let accountSid: String
    public let username: String
    let secret: String
    public let kind: Kind

    public init(accountSid: String, authToken: String) throws(ConfigError) {
        try Credentials.check(accountSid, prefix: "AC", name: "TWILIO_ACCOUNT_SID")
        guard !authToken.isEmpty else { throw .missingCredentials("TWILIO_AUTH_TOKEN is empty") }
        self.accountSid = accountSid; self.username = accountSid; self.secret = authToken; self.kind = .authToken
    }

    public init(accountSid: String, apiKey: String, apiSecret: String) throws(ConfigError) {
        try Credentials.check(accountSid, prefix: "AC", name: "TWILIO_ACCOUNT_SID")
        try Credentials.check(apiKey, prefix: "SK", name: "TWILIO_API_KEY")
        guard !apiSecret.isEmpty else { throw .missingCredentials("TWILIO_API_SECRET is empty") }
        self.accountSid = accountSid; self.username = apiKey; self.secret = apiSecret; self.kind = .apiKey
    }

    /// API key wins over the auth token when both are set, as the SDKs do.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigError) -> Credentials {
        let value = { (key: String) -> String? in env[key].flatMap { $0.isEmpty ? nil : $0 } }
        guard let account = value("TWILIO_ACCOUNT_SID") else {
            throw .missingCredentials(Credentials.howToSet)
        }
        if let key = value("TWILIO_API_KEY") {
            guard let secret = value("TWILIO_API_SECRET") else {
                throw .missingCredentials("TWILIO_API_KEY is set but TWILIO_API_SECRET is not")
            }
            return try Credentials(accountSid: account, apiKey: key, apiSecret: secret)
        }
        guard let token = value("TWILIO_AUTH_TOKEN") else {
            throw .missingCredentials("TWILIO_ACCOUNT_SID is set but neither TWILIO_AUTH_TOKEN nor TWILIO_API_KEY + TWILIO_API_SECRET is")
        }
        return try Credentials(accountSid: account, authToken: token)
    }

    public static let howToSet = """
        no Twilio credentials: export TWILIO_ACCOUNT_SID=AC… and either TWILIO_AUTH_TOKEN=… \
        or TWILIO_API_KEY=SK… with TWILIO_API_SECRET=… (plus TWILIO_REGION/TWILIO_EDGE if your \
        account is not in us1). To try calltop without an account: calltop demo
        """

    /// The user:secret pair for libcurl's CURLOPT_USERPWD. Only the HTTP client calls this.
    var basicUserPassword: String { "\(username):\(secret)" }

    /// Every string that must never be logged or shown: the secret itself and
    /// the Basic header value derived from it.
    public var secretsForRedaction: [String] {
        [secret, Data(basicUserPassword.utf8).base64EncodedString()]
    }

    public var description: String { "\(kind.rawValue) (\(username))" }
    public var debugDescription: String { description }

    static func check(_ sid: String, prefix: String, name: String) throws(ConfigError) {
        guard SID.isValid(sid, prefix: prefix) else {
            throw .invalid("\(name) must be \(prefix) followed by 32 hex digits")
        }
    }
}
