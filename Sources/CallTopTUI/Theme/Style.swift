/// A terminal colour: the terminal's own default, or a palette index
/// (0-7 ANSI, 8-15 bright, up to 255).
public enum ThemeColor: Sendable, Equatable, Hashable {
    case terminalDefault
    case indexed(Int)

    static let names: [String: Int] = [
        "black": 0, "red": 1, "green": 2, "yellow": 3, "blue": 4, "magenta": 5, "cyan": 6, "white": 7,
        "bright_black": 8, "grey": 8, "gray": 8, "bright_red": 9, "bright_green": 10, "bright_yellow": 11,
        "bright_blue": 12, "bright_magenta": 13, "bright_cyan": 14, "bright_white": 15,
    ]

    init?(name: String) {
        let lower = name.lowercased().replacingOccurrences(of: "-", with: "_")
        if lower == "default" { self = .terminalDefault; return }
        if let n = ThemeColor.names[lower] { self = .indexed(n); return }
        if let n = Int(lower), (0...255).contains(n) { self = .indexed(n); return }
        return nil
    }
}

public struct TextAttributes: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let bold = TextAttributes(rawValue: 1 << 0)
    public static let dim = TextAttributes(rawValue: 1 << 1)
    public static let underline = TextAttributes(rawValue: 1 << 2)
    public static let reverse = TextAttributes(rawValue: 1 << 3)
    public static let italic = TextAttributes(rawValue: 1 << 4)
    public static let blink = TextAttributes(rawValue: 1 << 5)
    public static let standout = TextAttributes(rawValue: 1 << 6)

    static let names: [String: TextAttributes] = [
        "bold": .bold, "dim": .dim, "underline": .underline, "reverse": .reverse,
        "italic": .italic, "blink": .blink, "standout": .standout,
    ]
}

/// How one style role looks.
public struct Style: Sendable, Equatable, Hashable {
    public var foreground: ThemeColor
    public var background: ThemeColor
    public var attributes: TextAttributes

    public init(foreground: ThemeColor = .terminalDefault, background: ThemeColor = .terminalDefault, attributes: TextAttributes = []) {
        self.foreground = foreground; self.background = background; self.attributes = attributes
    }

    public static let plain = Style()
}
