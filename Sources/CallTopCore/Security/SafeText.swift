/// The one boundary between text from outside (Twilio, callers, transcripts,
/// URIs) and a terminal or a log: nothing in it can move the cursor, change
/// colours, set a window title (ESC/CSI/OSC, C1 controls) or start a new log
/// line. Controls become visible escapes (`\x1b`, `\n`, `\x9b`), so an
/// operator still sees that they were there; invisible format characters
/// that reorder or hide text (bidi overrides, U+2028) become `\u{…}`.
/// The dashboard (ScreenBuffer) and every command's output and log line use it.
public enum SafeText {
    /// What to draw for one character.
    public enum Visible: Equatable, Sendable {
        /// Safe as it is.
        case keep
        /// A mark with nothing to sit on: drawing it would merge with the previous cell.
        case drop
        /// Replace with this visible text.
        case escape(String)
    }

    /// Decides one character. Printable ASCII is answered without looking further (the dashboard asks per cell).
    @inline(__always)
    public static func visible(_ character: Character) -> Visible {
        if let ascii = character.asciiValue, ascii >= 0x20, ascii < 0x7F { return .keep }
        return classify(character)
    }

    /// `text` with every control escaped, newlines included: one field, one line.
    public static func escaped(_ text: some StringProtocol) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text { append(character, to: &out) }
        return out
    }

    /// Like `escaped`, but a newline stays a line break: for text whose lines
    /// mean something (a two-channel transcript's turns). Each line is cleaned.
    public static func escapedLines(_ text: some StringProtocol) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { escaped($0) }.joined(separator: "\n")
    }

    @inline(__always)
    static func append(_ character: Character, to out: inout String) {
        switch visible(character) {
        case .keep: out.append(character)
        case .drop: break
        case .escape(let text): out += text
        }
    }

    private static func classify(_ character: Character) -> Visible {
        let scalars = character.unicodeScalars
        guard let first = scalars.first else { return .drop }
        // A grapheme that holds a control anywhere ("\r\n", ESC + a mark) is spelled out scalar by scalar.
        if scalars.contains(where: isUnsafe) {
            return .escape(scalars.map { isUnsafe($0) ? escape($0) : String($0) }.joined())
        }
        switch first.properties.generalCategory {
        case .nonspacingMark, .enclosingMark: return .drop
        default: return .keep
        }
    }

    private static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0x20 || (0x7F..<0xA0).contains(v) { return true }
        switch scalar.properties.generalCategory {
        case .format:
            // ZWJ and variation selectors inside emoji are part of the glyph; a lone one is harmless too.
            return v != 0x200D
        case .control, .lineSeparator, .paragraphSeparator:
            return true
        default:
            return false
        }
    }

    private static func escape(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\n": return "\\n"
        case "\r": return "\\r"
        case "\t": return "\\t"
        default:
            let hex = String(scalar.value, radix: 16)
            return scalar.value < 0x100
                ? "\\x" + String(repeating: "0", count: 2 - hex.count) + hex
                : "\\u{" + hex + "}"
        }
    }
}
