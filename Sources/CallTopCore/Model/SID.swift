/// Twilio SIDs are two letters and 32 hex digits. Anything else is rejected
/// before it can reach a URL or a file name.
public struct SID: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public enum Kind: String, Sendable { case account = "AC", call = "CA", recording = "RE", apiKey = "SK" }

    public let value: String
    public let kind: Kind

    public init?(_ text: String, kind: Kind) {
        guard SID.isValid(text, prefix: kind.rawValue) else { return nil }
        self.value = text
        self.kind = kind
    }

    public init?(_ text: String) {
        guard text.count == 34, let kind = Kind(rawValue: String(text.prefix(2))) else { return nil }
        self.init(text, kind: kind)
    }

    public static func isValid(_ text: String, prefix: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 34, text.hasPrefix(prefix) else { return false }
        return bytes.dropFirst(2).allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66) || (b >= 0x41 && b <= 0x46)
        }
    }

    public var description: String { value }
    public static func < (a: SID, b: SID) -> Bool { a.value < b.value }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let sid = SID(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a Twilio SID: \(text.prefix(40))"))
        }
        self = sid
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(value)
    }
}
