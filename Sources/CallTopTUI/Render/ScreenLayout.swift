/// Where each part of the screen goes for a size. Shared by `render` and
/// `update` so paging and scrolling agree with what is drawn.
struct ScreenLayout: Equatable {
    static let minimumSize = TerminalSize(columns: 60, rows: 15)

    let size: TerminalSize
    /// Rows 0-2: the header (who/where, counts, freshness and view).
    let headerRows = 3
    /// The row under the header: column titles in the list, a title in detail.
    var titleRow: Int { headerRows }
    /// First row of the list or of the scrollable detail/help text.
    var bodyTop: Int { headerRows + 1 }
    let bodyRows: Int
    /// The log pane (a separator line, then lines), empty when hidden.
    let logTop: Int
    let logRows: Int
    var statusRow: Int { size.rows - 2 }
    var footerRow: Int { size.rows - 1 }

    var isTooSmall: Bool {
        size.columns < Self.minimumSize.columns || size.rows < Self.minimumSize.rows
    }

    init(size: TerminalSize, showLog: Bool) {
        self.size = size
        let available = max(0, size.rows - 2 - 4) // header and title above, status and footer below
        let log = showLog ? min(max(4, size.rows / 3), max(0, available - 3)) : 0
        logRows = log
        bodyRows = max(1, available - log)
        logTop = size.rows - 2 - log
    }
}
