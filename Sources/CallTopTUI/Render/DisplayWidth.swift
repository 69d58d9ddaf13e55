import CallTopCore

/// Terminal column width of text. Kept in pure Swift (not `wcwidth`) so that
/// rendering gives the same answer in tests, which run without a UTF-8 locale.
enum DisplayWidth {
    /// Columns the character takes once drawn: a control counts as its visible escape (SafeText).
    static func of(_ character: Character) -> Int {
        if character.asciiValue.map({ $0 >= 0x20 && $0 < 0x7F }) == true { return 1 }
        switch SafeText.visible(character) {
        case .keep: break
        case .drop: return 0
        case .escape(let spelled): return spelled.count
        }
        guard let first = character.unicodeScalars.first else { return 0 }
        if character.unicodeScalars.contains(where: { $0.value == 0xFE0F }) { return 2 }
        if first.properties.isEmojiPresentation { return 2 }
        return isEastAsianWide(first.value) ? 2 : 1
    }

    static func of(_ text: some StringProtocol) -> Int {
        var total = 0
        for character in text { total += of(character) }
        return total
    }

    private static func isEastAsianWide(_ v: UInt32) -> Bool {
        switch v {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF,
             0x4E00...0x9FFF, 0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF,
             0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
             0x20000...0x2FFFD, 0x30000...0x3FFFD:
            return true
        default:
            return false
        }
    }
}
