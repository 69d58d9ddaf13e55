import Foundation

/// `CALLTOP_DATABASE_URL`: `postgres://user[:password]@host[:port]/database[?sslmode=…&sslrootcert=…]`.
/// It may hold a password, so it comes from the environment only, and what
/// calltop prints of it is `redacted`, never the URL itself.
public struct DatabaseURL: Sendable, Equatable {
    /// libpq's `sslmode` values, with libpq's meaning; `prefer` is its default too.
    public enum SSLMode: String, Sendable, CaseIterable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public var user: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String
    public var sslMode: SSLMode
    /// A CA bundle for `verify-ca`/`verify-full` (otherwise the system's).
    public var sslRootCert: String?

    public static let environmentVariable = "CALLTOP_DATABASE_URL"

    /// The URL from the environment, nil when team mode is off.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws(Invalid) -> DatabaseURL? {
        guard let text = env[environmentVariable]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        return try parse(text)
    }

    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public var reason: String
        public var description: String {
            "CALLTOP_DATABASE_URL is not usable: \(reason) (expected postgres://user[:password]@host[:port]/database[?sslmode=disable|require|verify-full])"
        }
    }

    /// Parses without ever quoting the text back: it may hold a password.
    public static func parse(_ text: String) throws(Invalid) -> DatabaseURL {
        guard let parts = URLComponents(string: text), let scheme = parts.scheme?.lowercased() else {
            throw Invalid(reason: "it is not a URL")
        }
        guard scheme == "postgres" || scheme == "postgresql" else { throw Invalid(reason: "the scheme must be postgres://") }
        guard var host = parts.host, !host.isEmpty else { throw Invalid(reason: "it names no host") }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard let user = parts.user, !user.isEmpty else { throw Invalid(reason: "it names no user") }
        let database = String(parts.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else { throw Invalid(reason: "it names no database (…/DATABASE)") }
        let port = parts.port ?? 5432
        guard (1...65535).contains(port) else { throw Invalid(reason: "the port is out of range") }
        var url = DatabaseURL(user: user, password: parts.password, host: host, port: port,
                              database: database.removingPercentEncoding ?? database, sslMode: .prefer, sslRootCert: nil)
        for item in parts.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(SSLMode.init(rawValue:)) else {
                    throw Invalid(reason: "sslmode must be one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                url.sslMode = mode
            case "sslrootcert":
                url.sslRootCert = item.value
            default:
                throw Invalid(reason: "unknown parameter '\(item.name)' (calltop reads sslmode and sslrootcert)")
            }
        }
        return url
    }

    /// What logs, errors and `doctor` show: everything but the password.
    public var redacted: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return "postgres://\(user)\(password == nil ? "" : ":***")@\(hostPart):\(port)/\(database)?sslmode=\(sslMode.rawValue)"
    }

    /// `host:port`, for error messages.
    public var endpoint: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
