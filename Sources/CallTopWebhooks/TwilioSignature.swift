import CallTopCore
import Crypto
import Foundation

/// Twilio's request signature (`X-Twilio-Signature`): Base64 of HMAC-SHA1,
/// keyed with the auth token, over the full URL Twilio called followed by every
/// POST parameter as name + value, sorted by name. For a JSON body the URL
/// carries `bodySHA256` (hex SHA-256 of the body) and only the URL is signed.
/// Pure functions: no I/O, so they are tested with known vectors.
public enum TwilioSignature {
    /// The signature Twilio would send for this URL and form parameters.
    public static func compute(url: String, params: [(String, String)], authToken: String) -> String {
        var data = Data(url.utf8)
        for (name, value) in sortedPairs(params) {
            data.append(contentsOf: name.utf8)
            data.append(contentsOf: value.utf8)
        }
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: data, using: SymmetricKey(data: Data(authToken.utf8)))
        return Data(mac).base64EncodedString()
    }

    /// Whether `signature` signs this form request. Behind a proxy the URL
    /// Twilio signed may or may not carry the default port, so both are tried.
    public static func isValid(signature: String?, url: String, params: [(String, String)], authToken: String) -> Bool {
        guard let signature, !signature.isEmpty, !authToken.isEmpty else { return false }
        var ok = false
        // Every candidate is checked (no early exit) so timing says nothing about which one matched.
        for candidate in urlVariants(url) {
            ok = ConstantTime.equals(compute(url: candidate, params: params, authToken: authToken), signature) || ok
        }
        return ok
    }

    /// Whether `signature` signs this JSON request: the URL's `bodySHA256`
    /// must equal the body's hash and the URL alone must be signed.
    public static func isValidJSON(signature: String?, url: String, body: Data, authToken: String) -> Bool {
        guard let claimed = queryValue("bodySHA256", in: url) else { return false }
        let actual = Hex.encode(SHA256.hash(data: body))
        let bodyMatches = ConstantTime.equals(actual, claimed.lowercased())
        let signed = isValid(signature: signature, url: url, params: [], authToken: authToken)
        return bodyMatches && signed
    }

    /// Name order first, then value (Twilio's SDKs sort repeated names' values too).
    static func sortedPairs(_ params: [(String, String)]) -> [(String, String)] {
        params.sorted { a, b in
            a.0 != b.0 ? Array(a.0.utf8).lexicographicallyPrecedes(Array(b.0.utf8))
                       : Array(a.1.utf8).lexicographicallyPrecedes(Array(b.1.utf8))
        }
    }

    /// The URL as given, plus the same URL with the scheme's default port added
    /// when absent or removed when present.
    static func urlVariants(_ url: String) -> [String] {
        guard var parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased(),
              let defaultPort = ["https": 443, "http": 80][scheme] else { return [url] }
        if parts.port == nil {
            parts.port = defaultPort
        } else if parts.port == defaultPort {
            parts.port = nil
        } else {
            return [url]
        }
        guard let other = parts.string, other != url else { return [url] }
        return [url, other]
    }

    static func queryValue(_ name: String, in url: String) -> String? {
        URLComponents(string: url)?.queryItems?.first { $0.name == name }?.value
    }
}

/// Comparison whose time depends only on the lengths, never on where the
/// first difference is: a remote caller cannot guess a secret byte by byte.
public enum ConstantTime {
    public static func equals(_ a: String, _ b: String) -> Bool {
        equals(Array(a.utf8), Array(b.utf8))
    }

    public static func equals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var diff = UInt8(a.count == b.count ? 0 : 1)
        // Walk the expected length whatever the other is, so a short guess costs as much as a long one.
        for i in 0..<a.count { diff |= a[i] ^ (i < b.count ? b[i] : ~a[i]) }
        return diff == 0
    }
}
