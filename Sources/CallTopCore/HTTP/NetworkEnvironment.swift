import Foundation

/// What a corporate network needs from the environment: a private CA bundle
/// (TLS-inspecting proxies) and the proxy itself.
///
/// libcurl reads the proxy variables on its own (https_proxy / HTTPS_PROXY,
/// all_proxy, no_proxy / NO_PROXY) as long as CURLOPT_PROXY is never set, and
/// CurlSession never sets it. It does not read SSL_CERT_FILE or
/// CURL_CA_BUNDLE (only the curl tool does), so CurlSession passes the bundle
/// as CURLOPT_CAINFO.
public struct NetworkEnvironment: Sendable, Equatable {
    public struct CABundle: Sendable, Equatable {
        public var path: String
        /// The variable that named it.
        public var variable: String
    }

    public var caBundle: CABundle?
    let environment: [String: String]

    public init(_ environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
        caBundle = ["SSL_CERT_FILE", "CURL_CA_BUNDLE"].lazy.compactMap { name in
            environment[name].flatMap { $0.isEmpty ? nil : CABundle(path: $0, variable: name) }
        }.first
    }

    /// Read once: every transfer of the process uses the same network settings.
    public static let current = NetworkEnvironment()

    /// The proxy libcurl will use for `url`, as libcurl picks it: the
    /// scheme's variable (lower case first; plain http reads only the lower
    /// case `http_proxy`, as libcurl does), then `all_proxy`, unless
    /// `no_proxy` covers the host. Nil: a direct connection.
    public func proxy(for url: String) -> (variable: String, url: String)? {
        guard let parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased(), let host = parts.host else { return nil }
        if bypassesProxy(host) { return nil }
        let names = scheme == "https" ? ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"] : ["http_proxy", "all_proxy", "ALL_PROXY"]
        for name in names {
            if let value = environment[name], !value.isEmpty { return (name, value) }
        }
        return nil
    }

    /// libcurl's no_proxy rule: `*` covers everything; otherwise each
    /// comma-separated entry matches the host itself or a domain it is in.
    func bypassesProxy(_ host: String) -> Bool {
        guard let list = environment["no_proxy"].flatMap({ $0.isEmpty ? nil : $0 }) ?? environment["NO_PROXY"] else { return false }
        let h = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        for raw in list.split(separator: ",") {
            var entry = raw.trimmingCharacters(in: .whitespaces).lowercased()
            if entry == "*" { return true }
            if entry.hasPrefix(".") { entry.removeFirst() }
            if entry.isEmpty { continue }
            if h == entry || h.hasSuffix("." + entry) { return true }
        }
        return false
    }

    /// A proxy URL for display: any user:password in it is replaced.
    public static func redactedProxy(_ url: String) -> String {
        guard var parts = URLComponents(string: url.contains("://") ? url : "http://" + url),
              parts.user != nil || parts.password != nil else { return url }
        parts.user = "***"
        parts.password = nil
        return parts.string ?? "(proxy URL with credentials)"
    }

    /// One line each for `calltop doctor`: (ok, name, detail).
    public func doctorLines(apiBaseURL: String) -> [(ok: Bool, name: String, detail: String)] {
        var lines: [(Bool, String, String)] = []
        if let bundle = caBundle {
            let readable = FileManager.default.isReadableFile(atPath: bundle.path)
            lines.append((readable, "ca bundle", readable ? "\(bundle.path) (from \(bundle.variable))"
                : "\(bundle.path) (from \(bundle.variable)) cannot be read: every https request will fail; fix the path or unset \(bundle.variable)"))
        } else {
            lines.append((true, "ca bundle", "system default (set SSL_CERT_FILE or CURL_CA_BUNDLE for a private CA)"))
        }
        let host = URLComponents(string: apiBaseURL)?.host ?? apiBaseURL
        if let proxy = proxy(for: apiBaseURL) {
            lines.append((true, "proxy", "\(Self.redactedProxy(proxy.url)) for \(host) (from \(proxy.variable))"))
        } else {
            let bypass = bypassesProxy(host) ? " (NO_PROXY covers \(host))" : ""
            lines.append((true, "proxy", "none: direct to \(host)\(bypass)"))
        }
        return lines
    }
}
