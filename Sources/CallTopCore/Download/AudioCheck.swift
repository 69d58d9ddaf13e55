import Foundation

/// Is this body audio? Twilio answers errors on media URLs with XML, and a
/// downloader that trusts a 200 stores that XML as "audio".
public enum AudioCheck {
    public enum Kind: String, Sendable { case mp3, wav }

    /// Recognises MP3 (ID3 tag or an MPEG frame sync) and RIFF/WAVE from the first bytes.
    public static func kind(ofPrefix bytes: some Collection<UInt8>) -> Kind? {
        let b = Array(bytes.prefix(12))
        if b.count >= 3, b[0] == 0x49, b[1] == 0x44, b[2] == 0x33 { return .mp3 }  // "ID3"
        if b.count >= 2, b[0] == 0xFF, b[1] & 0xE0 == 0xE0 { return .mp3 }
        if b.count >= 12, b[0...3].elementsEqual("RIFF".utf8), b[8...11].elementsEqual("WAVE".utf8) { return .wav }
        return nil
    }

    /// Content types that can never hold audio: what Twilio's errors come as.
    public static func isErrorContentType(_ contentType: String?) -> Bool {
        guard let type = contentType?.lowercased() else { return false }
        return type.contains("xml") || type.contains("json") || type.hasPrefix("text/")
    }

    /// A short, safe description of a non-audio body for messages.
    public static func describe(prefix: Data, contentType: String?) -> String {
        if let error = TwilioErrorBody.parse(prefix) {
            return "an error document" + (error.code.map { " (Twilio \($0)" + (error.message.map { ": \($0)" } ?? "") + ")" } ?? "")
        }
        let text = String(decoding: prefix.prefix(16), as: UTF8.self)
        let printable = text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F || $0 == "\n" || $0 == "\r" }
        return "a \(contentType ?? "non-audio") body" + (printable ? " starting \"\(text.prefix(16))\"" : "")
    }
}
