import CallTopCore

/// The size of the terminal in cells.
public struct TerminalSize: Sendable, Equatable, Hashable {
    public var columns: Int
    public var rows: Int
    public init(columns: Int, rows: Int) { self.columns = columns; self.rows = rows }
}

/// One terminal cell. A wide character occupies its cell (`width == 2`) and
/// the next one, which is a continuation (`width == 0`) and holds nothing.
public struct Cell: Sendable, Equatable {
    public var character: Character
    public var role: StyleRole
    public var width: UInt8

    public static func blank(_ role: StyleRole) -> Cell { Cell(character: " ", role: role, width: 1) }
}

/// A rendered frame: what the ncurses backend copies to the screen and what
/// snapshot tests compare as text.
public struct ScreenBuffer: Sendable, Equatable {
    public let size: TerminalSize
    public private(set) var cells: [Cell]

    public init(size: TerminalSize, role: StyleRole = .normal) {
        self.size = TerminalSize(columns: max(0, size.columns), rows: max(0, size.rows))
        cells = Array(repeating: .blank(role), count: self.size.columns * self.size.rows)
    }

    public subscript(row: Int, column: Int) -> Cell {
        cells[row * size.columns + column]
    }

    /// Writes `text` from `column`, clipped at `limit` columns (default: the
    /// right edge). Returns the column after the last cell written.
    @discardableResult
    public mutating func put(_ text: some StringProtocol, row: Int, column: Int, role: StyleRole, limit: Int? = nil) -> Int {
        guard row >= 0, row < size.rows else { return column }
        let end = min(size.columns, limit.map { column + $0 } ?? size.columns)
        var x = column
        for raw in text {
            switch SafeText.visible(raw) {
            case .keep:
                guard place(raw, row: row, x: &x, end: end, role: role) else { return end }
            case .drop:
                continue
            case .escape(let spelled):
                for character in spelled {
                    guard place(character, row: row, x: &x, end: end, role: role) else { return end }
                }
            }
        }
        return x
    }

    /// Puts one safe character at `x` and advances; false when it does not fit before `end`.
    private mutating func place(_ character: Character, row: Int, x: inout Int, end: Int, role: StyleRole) -> Bool {
        let width = DisplayWidth.of(character)
        if x + width > end {
            // A wide character that does not fit leaves a blank, not half a glyph.
            if x < end, x >= 0 { set(row: row, column: x, Cell(character: " ", role: role, width: 1)) }
            return false
        }
        if x >= 0 {
            set(row: row, column: x, Cell(character: character, role: role, width: UInt8(width)))
            if width == 2 { set(row: row, column: x + 1, Cell(character: " ", role: role, width: 0)) }
        }
        x += width
        return true
    }

    /// Sets the role of cells without changing their text (selection bars, fills).
    public mutating func paint(row: Int, columns: Range<Int>, role: StyleRole) {
        guard row >= 0, row < size.rows else { return }
        for x in max(0, columns.lowerBound)..<min(size.columns, columns.upperBound) {
            cells[row * size.columns + x].role = role
        }
    }

    /// Blanks a row range with a role.
    public mutating func clear(row: Int, columns: Range<Int>? = nil, role: StyleRole) {
        guard row >= 0, row < size.rows else { return }
        let range = columns ?? 0..<size.columns
        for x in max(0, range.lowerBound)..<min(size.columns, range.upperBound) {
            set(row: row, column: x, .blank(role))
        }
    }

    private mutating func set(row: Int, column: Int, _ cell: Cell) {
        guard column >= 0, column < size.columns else { return }
        let i = row * size.columns + column
        // Overwriting half of a wide character must not leave the other half behind.
        if cells[i].width == 0, column > 0, cells[i - 1].width == 2 {
            cells[i - 1] = .blank(cells[i - 1].role)
        }
        if cells[i].width == 2, cell.width != 2, column + 1 < size.columns {
            cells[i + 1] = .blank(cells[i + 1].role)
        }
        if cell.width == 2, column + 1 >= size.columns {
            cells[i] = .blank(cell.role)
            return
        }
        cells[i] = cell
    }

    /// The text of each row, trailing blanks removed: what snapshots compare.
    public func lines() -> [String] {
        (0..<size.rows).map { row in
            var line = ""
            for x in 0..<size.columns {
                let cell = cells[row * size.columns + x]
                if cell.width > 0 { line.append(cell.character) }
            }
            while line.last == " " { line.removeLast() }
            return line
        }
    }

    /// One letter per cell naming its role, for tests that check colouring.
    public func roleLines() -> [String] {
        (0..<size.rows).map { row in
            String((0..<size.columns).map { x in StyleRole.code(cells[row * size.columns + x].role) })
        }
    }
}

extension StyleRole {
    static func code(_ role: StyleRole) -> Character {
        switch role {
        case .normal: return "."
        case .header: return "H"
        case .badge: return "B"
        case .columnHeader: return "C"
        case .selected: return "S"
        case .marked: return "M"
        case .downloaded: return "d"
        case .downloading: return "g"
        case .pending: return "p"
        case .notReady: return "n"
        case .retrying: return "r"
        case .failed: return "f"
        case .absent: return "a"
        case .transcriptOffline: return "o"
        case .transcriptRealtime: return "t"
        case .dim: return "-"
        case .label: return "l"
        case .title: return "T"
        case .status: return "s"
        case .error: return "E"
        case .warning: return "W"
        case .footer: return "F"
        case .footerKey: return "K"
        case .border: return "#"
        case .popup: return "P"
        case .filterInput: return "I"
        }
    }
}
