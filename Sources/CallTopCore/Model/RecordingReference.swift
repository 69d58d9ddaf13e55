import Foundation

/// What a user may name on `calltop download`: a recording, a call (meaning
/// all of its recordings), or a recording URL in any of Twilio's forms.
public enum RecordingReference: Sendable, Equatable {
    case recording(String)
    case call(String)

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case unrecognised(String)
        case userInfo(String)
        public var description: String {
            switch self {
            case .userInfo(let text):
                return "'\(URLRules.withoutUserInfo(text).prefix(120))': a recording URL must not carry user:password@ (credentials come from TWILIO_* variables)"
            case .unrecognised(let text):
                return "'\(text.prefix(120))' is not a Call SID (CA + 32 hex), a Recording SID (RE + 32 hex) or a recording URL"
            }
        }
    }

    /// Strict: the SID must be exactly two letters and 32 hex digits, taken
    /// from the last path segment of a URL (with `.json`, `.mp3`, `.wav` or no
    /// extension, relative or absolute). Query strings and fragments are ignored.
    public static func parse(_ text: String) throws(ParseError) -> RecordingReference {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if SID.isValid(trimmed, prefix: "RE") { return .recording(trimmed) }
        if SID.isValid(trimmed, prefix: "CA") { return .call(trimmed) }
        if URLRules.hasUserInfo(trimmed) { throw .userInfo(trimmed) }
        guard let sid = recordingSID(fromURL: trimmed) else { throw .unrecognised(text) }
        return .recording(sid)
    }

    public static func recordingSID(fromURL text: String) -> String? {
        guard text.contains("/") else { return nil }
        var path = Substring(text)
        if let cut = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = path[..<cut] }
        let segments = path.split(separator: "/")
        guard let last = segments.last, segments.count >= 2, segments[segments.count - 2] == "Recordings" else { return nil }
        var name = String(last)
        for ext in [".json", ".mp3", ".wav"] where name.hasSuffix(ext) {
            name.removeLast(ext.count)
            break
        }
        return SID.isValid(name, prefix: "RE") ? name : nil
    }
}
