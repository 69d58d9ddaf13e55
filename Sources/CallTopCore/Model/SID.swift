/// Twilio SIDs are two letters and 32 hex digits. Anything else is rejected
/// before it can reach a URL or a file name. SIDs travel as plain strings
/// (they are checked once, where they enter: decoding, callbacks, arguments).
public enum SID {
    public static func isValid(_ text: String, prefix: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 34, text.hasPrefix(prefix) else { return false }
        return bytes.dropFirst(2).allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66) || (b >= 0x41 && b <= 0x46)
        }
    }
}
