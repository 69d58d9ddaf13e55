import CNcursesw
import Foundation

public struct TerminalError: Error, CustomStringConvertible {
    public var description: String
}

/// The only code that touches the terminal: sets it up, reads keys without
/// blocking, copies a ScreenBuffer to it once per frame, and puts it back.
@MainActor
final class NcursesTerminal {
    private var screen: OpaquePointer?
    private var window: UnsafeMutablePointer<WINDOW>?
    private var pairs: [StyleRole: (pair: Int16, attributes: attr_t)] = [:]
    private var stopped = false

    init(theme: Theme) throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw TerminalError(description: "the dashboard needs a terminal; for plain output use `calltop list` (or --json)")
        }
        // Without a UTF-8 locale ncurses draws box lines as letters and drops "→".
        calltop_set_locale()
        FatalSignalRestore.install()
        guard let screen = calltop_newterm() else {
            FatalSignalRestore.uninstall()
            let term = ProcessInfo.processInfo.environment["TERM"] ?? "(unset)"
            throw TerminalError(description: "cannot open the terminal (TERM=\(term)); try TERM=xterm-256color")
        }
        self.screen = screen
        window = calltop_stdscr()
        raw()      // Ctrl-C arrives as a key, so quitting always restores the terminal
        noecho()
        nonl()
        keypad(window, true)
        nodelay(window, true)
        set_escdelay(25) // Esc must feel instant; the default waits 1 s for a sequence
        curs_set(0)
        setUpColors(theme)
    }

    private func setUpColors(_ theme: Theme) {
        let useColor = theme.usesColor && has_colors()
        if useColor {
            start_color()
            use_default_colors()
        }
        let colors = Int(calltop_colors())
        let maxPairs = Int(calltop_color_pairs())
        var pairFor: [String: Int16] = [:]
        for role in StyleRole.allCases {
            let style = theme[role]
            var pair: Int16 = 0
            if useColor, style.foreground != .terminalDefault || style.background != .terminalDefault {
                let fg = colorNumber(style.foreground, colors: colors)
                let bg = colorNumber(style.background, colors: colors)
                let key = "\(fg)/\(bg)"
                if let existing = pairFor[key] {
                    pair = existing
                } else if pairFor.count + 1 < maxPairs {
                    pair = Int16(pairFor.count + 1)
                    init_pair(pair, fg, bg)
                    pairFor[key] = pair
                }
            }
            pairs[role] = (pair, attributes(style.attributes))
        }
    }

    /// Bright colours fall back to their base colour on 8-colour terminals.
    private func colorNumber(_ color: ThemeColor, colors: Int) -> Int16 {
        switch color {
        case .terminalDefault: return -1
        case .indexed(let n): return Int16(n < colors ? n : n % 8)
        }
    }

    private func attributes(_ attributes: TextAttributes) -> attr_t {
        var value = calltop_a_normal()
        if attributes.contains(.bold) { value |= calltop_a_bold() }
        if attributes.contains(.dim) { value |= calltop_a_dim() }
        if attributes.contains(.underline) { value |= calltop_a_underline() }
        if attributes.contains(.reverse) { value |= calltop_a_reverse() }
        if attributes.contains(.italic) { value |= calltop_a_italic() }
        if attributes.contains(.blink) { value |= calltop_a_blink() }
        if attributes.contains(.standout) { value |= calltop_a_standout() }
        return value
    }

    var size: TerminalSize {
        TerminalSize(columns: Int(calltop_cols()), rows: Int(calltop_lines()))
    }

    /// The next key, or nil when none is waiting. Never blocks.
    func readKey() -> TerminalInput? {
        var ch: wint_t = 0
        let rc = get_wch(&ch)
        if rc == ERR { return nil }
        if rc == KEY_CODE_YES {
            switch Int32(ch) {
            case calltop_key_resize(): return .resize
            case KEY_UP: return .key(.up)
            case KEY_DOWN: return .key(.down)
            case KEY_LEFT: return .key(.left)
            case KEY_RIGHT: return .key(.right)
            case KEY_NPAGE: return .key(.pageDown)
            case KEY_PPAGE: return .key(.pageUp)
            case KEY_HOME: return .key(.home)
            case KEY_END: return .key(.end)
            case KEY_ENTER: return .key(.enter)
            case KEY_BACKSPACE: return .key(.backspace)
            default: return .ignored
            }
        }
        switch ch {
        case 10, 13: return .key(.enter)
        case 27: return .key(.escape)
        case 9: return .key(.tab)
        case 8, 127: return .key(.backspace)
        case 1...26: return .key(.control(Character(Unicode.Scalar(UInt8(ch) + 96))))
        default:
            guard let scalar = Unicode.Scalar(UInt32(ch)) else { return .ignored }
            return .key(.character(Character(scalar)))
        }
    }

    /// Copies a frame: erase, draw every cell run, one refresh (no flicker).
    func draw(_ buffer: ScreenBuffer) {
        werase(window)
        let rows = min(buffer.size.rows, Int(calltop_lines()))
        let columns = min(buffer.size.columns, Int(calltop_cols()))
        var text: [wchar_t] = []
        text.reserveCapacity(columns * 2 + 1)
        for y in 0..<rows {
            var x = 0
            while x < columns {
                let role = buffer[y, x].role
                let start = x
                text.removeAll(keepingCapacity: true)
                while x < columns, buffer[y, x].role == role {
                    let cell = buffer[y, x]
                    if cell.width > 0 {
                        for scalar in cell.character.unicodeScalars { text.append(wchar_t(bitPattern: scalar.value)) }
                    }
                    x += 1
                }
                let style = pairs[role] ?? (0, calltop_a_normal())
                wattr_set(window, style.attributes, style.pair, nil)
                text.append(0)
                // The bottom-right cell makes addwstr report ERR after drawing; that is expected.
                _ = text.withUnsafeBufferPointer { mvwaddwstr(window, Int32(y), Int32(start), $0.baseAddress) }
            }
        }
        wrefresh(window)
    }

    /// Ctrl-L: repaint everything on the next refresh, not just changes.
    func invalidate() {
        clearok(window, true)
    }

    /// OSC 52: the terminal the user sits at (even over ssh, and through tmux
    /// with `set-clipboard on`) puts `text` on its clipboard. Written after
    /// ncurses has flushed its frame, so the sequence never splits one.
    func copyToClipboard(_ text: String) {
        wrefresh(window)
        let sequence = Array(OSC52.sequence(text).utf8)
        sequence.withUnsafeBufferPointer { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = write(STDOUT_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                if n <= 0 { break }
                offset += n
            }
        }
    }

    /// Restores the terminal. Safe to call more than once.
    func stop() {
        guard !stopped else { return }
        stopped = true
        curs_set(1)
        endwin()
        if let screen { delscreen(screen) }
        screen = nil
        FatalSignalRestore.uninstall()
    }
}

enum TerminalInput: Equatable {
    case key(Key)
    case resize
    case ignored
}
