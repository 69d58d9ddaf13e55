/// A run of text in one role; lines of spans are how detail and help text
/// is built before it is placed on screen.
struct Span: Equatable {
    var text: String
    var role: StyleRole
    init(_ text: String, _ role: StyleRole = .normal) { self.text = text; self.role = role }
}

typealias StyledLine = [Span]

extension ScreenBuffer {
    /// Draws spans left to right from `column`, clipped at `limit` columns.
    @discardableResult
    mutating func draw(_ line: StyledLine, row: Int, column: Int = 0, limit: Int? = nil) -> Int {
        let end = limit.map { column + $0 } ?? size.columns
        var x = column
        for span in line where x < end {
            x = put(span.text, row: row, column: x, role: span.role, limit: end - x)
        }
        return x
    }
}

extension Array where Element == Span {
    var displayWidth: Int { reduce(0) { $0 + DisplayWidth.of($1.text) } }
}
