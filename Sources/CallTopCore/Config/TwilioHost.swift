import Foundation

/// Which Twilio API host to talk to. Region and edge decide it exactly as
/// Twilio's SDKs do; an explicit base URL (a simulator or a proxy) overrides.
public struct TwilioHost: Sendable, Equatable {
    /// Scheme, host and optional port, never a trailing slash: `https://api.dublin.ie1.twilio.com`.
    public let baseURL: String
    public let region: String?
    public let edge: String?

    /// The SDKs fill in the edge when only a region is given.
    public static let defaultEdges: [String: String] = [
        "us1": "ashburn", "ie1": "dublin", "au1": "sydney", "jp1": "tokyo",
        "br1": "sao-paulo", "sg1": "singapore", "de1": "frankfurt",
    ]

    public init(region: String? = nil, edge: String? = nil, apiBaseURL: String? = nil) throws(ConfigError) {
        let region = region.flatMap { $0.isEmpty ? nil : $0.lowercased() }
        var edge = edge.flatMap { $0.isEmpty ? nil : $0.lowercased() }
        for (name, value) in [("region", region), ("edge", edge)] {
            if let value, !value.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) {
                throw .invalid("\(name) '\(value)' is not a Twilio \(name) name (letters, digits and '-')")
            }
        }
        if let override = apiBaseURL, !override.isEmpty {
            self.baseURL = try TwilioHost.validatedOverride(override)
            self.region = region
            self.edge = edge
            return
        }
        if let region, edge == nil {
            guard let fallback = TwilioHost.defaultEdges[region] else {
                throw .invalid("region '\(region)' has no default edge: set TWILIO_EDGE as well (e.g. TWILIO_EDGE=dublin for ie1)")
            }
            edge = fallback
        }
        switch (region, edge) {
        case let (region?, edge?):
            self.baseURL = "https://api.\(edge).\(region).twilio.com"
        case let (nil, edge?):
            // An edge alone routes to us1, as the SDKs do.
            self.baseURL = "https://api.\(edge).us1.twilio.com"
        default:
            self.baseURL = "https://api.twilio.com"
        }
        self.region = region
        self.edge = edge
    }

    /// The host part alone, for messages: `api.dublin.ie1.twilio.com`.
    public var hostName: String {
        URLComponents(string: baseURL)?.host ?? baseURL
    }

    /// Plain http only to loopback: credentials never cross a network in the clear.
    static func validatedOverride(_ text: String) throws(ConfigError) -> String {
        var trimmed = text
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        if URLRules.hasUserInfo(trimmed) {
            // Never echo it: the userinfo is a password.
            throw .invalid("API base URL '\(URLRules.withoutUserInfo(trimmed))' must not carry user:password@ (credentials come from TWILIO_* variables)")
        }
        guard let parts = URLComponents(string: trimmed), let scheme = parts.scheme?.lowercased(),
              let host = parts.host, !host.isEmpty, parts.path.isEmpty, parts.query == nil
        else {
            throw .invalid("API base URL '\(text)' must look like https://host[:port] with no path")
        }
        switch scheme {
        case "https":
            return trimmed
        case "http" where URLRules.isLoopback(host):
            return trimmed
        case "http":
            throw .invalid("API base URL '\(text)': plain http is allowed only for loopback (127.0.0.1, localhost, ::1); use https")
        default:
            throw .invalid("API base URL '\(text)': scheme must be https (or http for loopback)")
        }
    }

    /// Resolves a URI from a Twilio response (`uri`, `next_page_uri`: relative
    /// paths) against this host. An absolute URI keeps only its path and query:
    /// API documents live on the configured host, never on api.twilio.com when
    /// a region is set.
    public func resolve(_ uri: String) -> String {
        var path = uri
        if let parts = URLComponents(string: uri), parts.scheme != nil {
            path = parts.percentEncodedPath + (parts.percentEncodedQuery.map { "?" + $0 } ?? "")
        }
        return baseURL + (path.hasPrefix("/") ? path : "/" + path)
    }

    /// A redirect target, relative to the URL that redirected.
    public static func redirectTarget(_ location: String, from url: String) -> String? {
        guard let base = URL(string: url), let target = URL(string: location, relativeTo: base) else { return nil }
        return target.absoluteString
    }

    /// True when `url` points at this host (scheme, host and port all equal).
    public func owns(_ url: String) -> Bool {
        guard let a = URLComponents(string: url), let b = URLComponents(string: baseURL) else { return false }
        return a.scheme?.lowercased() == b.scheme?.lowercased()
            && a.host?.lowercased() == b.host?.lowercased()
            && (a.port ?? TwilioHost.defaultPort(a.scheme)) == (b.port ?? TwilioHost.defaultPort(b.scheme))
    }

    static func defaultPort(_ scheme: String?) -> Int {
        scheme?.lowercased() == "http" ? 80 : 443
    }
}

public enum ConfigError: Error, Equatable, CustomStringConvertible {
    case invalid(String)
    case missingCredentials(String)

    public var description: String {
        switch self {
        case .invalid(let m), .missingCredentials(let m): return m
        }
    }
}
