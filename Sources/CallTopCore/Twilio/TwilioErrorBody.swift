import Foundation

/// Twilio's error document: JSON for `.json` paths, XML for media paths.
public struct TwilioErrorBody: Sendable, Equatable {
    public var code: Int?
    public var message: String?

    public static func parse(_ data: Data) -> TwilioErrorBody? {
        let prefix = data.prefix(64 << 10)
        if let json = try? JSONSerialization.jsonObject(with: prefix) as? [String: Any] {
            let code = (json["code"] as? Int) ?? (json["code"] as? String).flatMap { Int($0) }
            let message = json["message"] as? String
            return code == nil && message == nil ? nil : TwilioErrorBody(code: code, message: message)
        }
        let text = String(decoding: prefix, as: UTF8.self)
        guard text.contains("<RestException>") || text.contains("<TwilioResponse>") else { return nil }
        return TwilioErrorBody(code: element("Code", in: text).flatMap { Int($0) }, message: element("Message", in: text))
    }

    static func element(_ name: String, in text: String) -> String? {
        guard let open = text.range(of: "<\(name)>"),
              let close = text.range(of: "</\(name)>", range: open.upperBound..<text.endIndex)
        else { return nil }
        return String(text[open.upperBound..<close.lowerBound]).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
