/// Removes secrets from text before it is written anywhere. The HTTP client
/// never puts credentials in messages; this is the second lock on the door.
public struct Redactor: Sendable {
    private let secrets: [String]

    public init(secrets: [String]) {
        // Short strings would redact innocent text; a real token is 32+ characters.
        self.secrets = secrets.filter { $0.count >= 8 }
    }

    public func clean(_ text: String) -> String {
        var out = text
        for s in secrets where out.contains(s) { out = out.replacingOccurrences(of: s, with: "[redacted]") }
        if let range = out.range(of: "Authorization:", options: .caseInsensitive) {
            out = String(out[..<range.upperBound]) + " [redacted]"
        }
        return out
    }
}
