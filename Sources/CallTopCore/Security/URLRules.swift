import Foundation

/// Checks every URL calltop is given goes through.
public enum URLRules {
    /// True only for a host that cannot leave this machine: an IPv4 address in
    /// 127.0.0.0/8 (four decimal parts), `::1` (with or without brackets, in any
    /// spelling), or exactly `localhost`. `127.attacker.example` is a name, not loopback.
    public static func isLoopback(_ host: String) -> Bool {
        var h = host.lowercased()
        if h.hasPrefix("[") && h.hasSuffix("]") { h = String(h.dropFirst().dropLast()) }
        if h == "localhost" { return true }
        if let v4 = ipv4(h) { return v4.0 == 127 }
        var v6 = in6_addr()
        if h.contains(":"), inet_pton(AF_INET6, h, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { bytes in bytes.dropLast().allSatisfy { $0 == 0 } && bytes.last == 1 }
        }
        return false
    }

    /// Strict dotted-quad: four parts of 1–3 digits, each 0…255 (no `127.1`, no octal or hex forms).
    static func ipv4(_ text: String) -> (UInt8, UInt8, UInt8, UInt8)? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var octets: [UInt8] = []
        for p in parts {
            guard (1...3).contains(p.count), p.allSatisfy(\.isASCII), p.allSatisfy(\.isNumber), let n = UInt8(p) else { return nil }
            octets.append(n)
        }
        return (octets[0], octets[1], octets[2], octets[3])
    }

    /// True when the URL carries `user@` or `user:password@` before its host.
    /// Checked on the text too, since a parser may not see userinfo in a URL it cannot parse.
    public static func hasUserInfo(_ text: String) -> Bool {
        if let parts = URLComponents(string: text), parts.user != nil || parts.password != nil { return true }
        guard let scheme = text.range(of: "://") else { return false }
        let authority = text[scheme.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return authority.contains("@")
    }

    /// The URL with any userinfo replaced by `***@`, for messages.
    public static func withoutUserInfo(_ text: String) -> String {
        guard hasUserInfo(text), let scheme = text.range(of: "://") else { return text }
        let rest = text[scheme.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return text }
        return String(text[..<scheme.upperBound]) + "***" + String(rest[at...])
    }
}
