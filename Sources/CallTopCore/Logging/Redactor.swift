import Foundation

/// Removes secrets from text before it is written anywhere. The HTTP client
/// never puts credentials in messages; this is the second lock on the door.
public struct Redactor: Sendable {
    private let secrets: [String]

    public init(secrets: [String]) {
        // Short strings would redact innocent text; a real token is 32+ characters.
        self.secrets = secrets.filter { $0.count >= 8 }
    }

    /// Environment variables that hold a secret calltop may use: each is
    /// redacted from every log line, whichever command runs (serve checks
    /// signatures with TWILIO_AUTH_TOKEN even when an API key authenticates).
    public static let secretVariables = [
        "TWILIO_AUTH_TOKEN", "TWILIO_API_SECRET", "CALLTOP_NOTIFY_SECRET", "CALLTOP_INGEST_TOKEN", "CALLTOP_NOTIFY_URL",
        "CALLTOP_DATABASE_URL",
    ]

    /// The values of `secretVariables` that are set. A URL counts whole, and its
    /// query values and password each on their own (such URLs often carry a token).
    public static func environmentSecrets(_ env: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        secretVariables.compactMap { env[$0] }.filter { !$0.isEmpty }.flatMap(urlParts)
    }

    /// A secret URL's sensitive pieces, the URL itself first.
    public static func urlParts(_ text: String) -> [String] {
        guard text.contains("://"), let parts = URLComponents(string: text) else { return [text] }
        return [text] + [parts.password, parts.percentEncodedPassword].compactMap { $0 }
            + (parts.queryItems ?? []).compactMap(\.value) + (parts.percentEncodedQueryItems ?? []).compactMap(\.value)
    }

    public func clean(_ text: String) -> String {
        var out = text
        for s in secrets where out.contains(s) { out = out.replacingOccurrences(of: s, with: "[redacted]") }
        if let end = Self.endOfAuthorizationLabel(in: out) {
            out = String(out[..<end]) + " [redacted]"
        }
        return out
    }

    /// Where the first "Authorization:" (any case) ends. A byte scan: Foundation's
    /// case-insensitive `range(of:)` goes through CFString, and with every log line
    /// passing here it was a few percent of a backlog's CPU.
    static func endOfAuthorizationLabel(in text: String) -> String.Index? {
        let label = Array("authorization:".utf8)
        let bytes = text.utf8
        var start = bytes.startIndex
        while let first = bytes[start...].firstIndex(where: { $0 | 0x20 == label[0] }) {
            var i = first, matched = 0
            // ASCII letters compare with their case bit set; ':' (0x3A) has it set already.
            while matched < label.count, i < bytes.endIndex, bytes[i] | 0x20 == label[matched] {
                matched += 1
                i = bytes.index(after: i)
            }
            if matched == label.count { return i }
            start = bytes.index(after: first)
        }
        return nil
    }
}
