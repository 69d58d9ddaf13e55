import Foundation

/// An `application/x-www-form-urlencoded` body as Twilio sends it: ordered
/// name/value pairs (a name may repeat), decoded exactly as the signature needs.
public struct FormParameters: Sendable, Equatable {
    public var pairs: [(String, String)]

    public init(pairs: [(String, String)]) { self.pairs = pairs }

    /// nil when the body is not valid form encoding (bad percent escapes, not UTF-8).
    public init?(body: some Collection<UInt8>) {
        guard let text = String(validating: Array(body), as: UTF8.self) else { return nil }
        var pairs: [(String, String)] = []
        for field in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = field.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]), let value = Self.decode(parts.count > 1 ? parts[1] : "") else { return nil }
            pairs.append((name, value))
        }
        self.pairs = pairs
    }

    public subscript(name: String) -> String? { pairs.first { $0.0 == name }?.1 }

    /// The body a client sends for these pairs (RFC 3986 unreserved characters stay as they are).
    public func encoded() -> String {
        pairs.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
    }

    static func decode(_ s: Substring) -> String? {
        String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }

    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    static func encode(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    public static func == (a: FormParameters, b: FormParameters) -> Bool {
        a.pairs.elementsEqual(b.pairs) { $0.0 == $1.0 && $0.1 == $1.1 }
    }
}
