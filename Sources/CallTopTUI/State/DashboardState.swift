import CallTopCore
import Foundation

/// Bytes seen so far for a download in flight (from `downloadProgress` events;
/// the store only knows the final size).
public struct DownloadProgress: Sendable, Equatable {
    public var bytes: Int64
    public var total: Int64?

    public var percent: Int? {
        guard let total, total > 0 else { return nil }
        return Int(min(100, max(0, bytes * 100 / total)))
    }
}

/// Derived from `rows`, so two states with the same rows are equal whatever it holds.
struct SearchCache: Sendable, Equatable {
    var text: RowSearchText?
    static func == (_: SearchCache, _: SearchCache) -> Bool { true }
}

public struct StatusMessage: Sendable, Equatable {
    public var text: String
    public var isError: Bool
    /// Set from the last tick; messages fade after a few seconds.
    public var shownAt: Date?
}

/// Everything the dashboard shows, as a plain value. Only `update` changes
/// it; `render` reads it.
public struct DashboardState: Sendable, Equatable {
    public var context: DashboardContext

    // Rows as loaded, and the derived visible order. Both change only through
    // `setRows`/`recomputeVisible` so the cached index cannot go stale.
    public private(set) var rows: [CallRow] = []
    /// Indices into `rows` after filter and sort.
    public private(set) var visible: [Int] = []
    /// `rows` after the state filter and the sort, before the text filter.
    private var baseOrder: [Int] = []
    /// Built on the first keystroke of a `/` filter after rows change.
    private var search = SearchCache()
    /// Calls per download state over all loaded rows (nil: no recording).
    public private(set) var counts: [DownloadState?: Int] = [:]
    public private(set) var rowsLoadedOnce = false
    /// The download backlog's progress, rate and ETA, from the counts at each row load.
    public private(set) var backlog = BacklogProgress()
    /// While only the first page is loaded: how many calls there are in all
    /// (the header's figures are then the store's, not the page's).
    public private(set) var totalCalls: Int?

    public internal(set) var selectedSid: String?
    /// Position of the selection in `visible`.
    public internal(set) var selectedIndex = 0
    /// First visible list row; `render` keeps the selection on screen from here.
    public internal(set) var scrollTop = 0
    public internal(set) var marks: Set<String> = []

    public internal(set) var mode: ViewMode = .main
    public internal(set) var stateFilter: StateFilter = .all
    public internal(set) var sort: SortOrder = .newest
    /// The applied `/` filter.
    public internal(set) var filterText = ""
    /// The text being typed while `mode == .filterInput`.
    public internal(set) var filterDraft = ""
    public internal(set) var filterError: String?
    var filterBeforeEditing = ""

    public internal(set) var detail: CallDetail? { didSet { rewrapTranscript() } }
    /// The detail view's transcript wrapped to the screen: redone only when the
    /// transcript or the width changes, never per frame or per key (a long
    /// transcript without spaces costs milliseconds to wrap).
    public private(set) var wrappedTranscript = WrappedText()
    public internal(set) var detailScroll = 0
    public internal(set) var helpScroll = 0

    /// The workers sharing the store, as loaded with the last rows.
    public internal(set) var workers: [WorkerRecord] = []
    /// Set by the first workers load: before it, "no workers" would be a guess.
    public internal(set) var workersLoaded = false
    public internal(set) var workersScroll = 0

    public internal(set) var log = LogRing(capacity: 500)
    public internal(set) var showLog = false
    public internal(set) var status: StatusMessage?
    public internal(set) var paused = false
    public var readonly: Bool { context.readonly }
    public let refreshSeconds: Int
    public internal(set) var lastSync: Date?
    public internal(set) var syncing = false
    public internal(set) var progress: [String: DownloadProgress] = [:]
    public internal(set) var transcribing: [String: Double] = [:]
    public internal(set) var size = TerminalSize(columns: 80, rows: 24) { didSet { rewrapTranscript() } }
    /// Time of the last tick; nil before the first.
    public internal(set) var now: Date?

    // Bookkeeping that keeps effects from piling up.
    var lastRefreshAt: Date?
    var syncInFlight = false
    var rowsLoadInFlight = false
    var rowsStale = false
    var lastRowsLoadSeconds = 0.0

    public init(context: DashboardContext) {
        self.context = context
        refreshSeconds = max(DashboardContext.minimumRefreshSeconds, context.refreshSeconds)
    }

    public var selectedRow: CallRow? {
        visible.indices.contains(selectedIndex) ? rows[visible[selectedIndex]] : nil
    }

    var layout: ScreenLayout { ScreenLayout(size: size, showLog: showLog) }

    /// Replaces the rows, keeping the selection on the same call.
    mutating func setFirstPage(_ page: ListPage) {
        setRows(page.rows)
        rowsLoadedOnce = false
        totalCalls = page.totalCalls
        counts = page.counts
    }

    mutating func setRows(_ newRows: [CallRow]) {
        rows = newRows
        rowsLoadedOnce = true
        totalCalls = nil
        var newCounts: [DownloadState?: Int] = [:]
        var present = Set<String>()
        present.reserveCapacity(newRows.count)
        // Progress is only meaningful while a download or transcription is still running.
        var keepProgress = Set<String>()
        var keepTranscribing = Set<String>()
        for row in newRows {
            newCounts[row.downloadState, default: 0] += 1
            present.insert(row.callSid)
            if progress[row.callSid] != nil, row.downloadState == .downloading || row.downloadState == .pending {
                keepProgress.insert(row.callSid)
            }
            if let fraction = transcribing[row.callSid], fraction < 1, row.transcriptSource != .offline {
                keepTranscribing.insert(row.callSid)
            }
        }
        counts = newCounts
        let waiting = [DownloadState.pending, .downloading, .retrying, .notReady].reduce(0) { $0 + (newCounts[$1] ?? 0) }
        if let now { backlog.observe(waiting: waiting, at: now) }
        marks = marks.filter { present.contains($0) }
        progress = progress.filter { keepProgress.contains($0.key) }
        transcribing = transcribing.filter { keepTranscribing.contains($0.key) }
        recomputeVisible()
    }

    /// Re-derives the visible order after rows, the state filter or the sort changed.
    mutating func recomputeVisible() {
        baseOrder = RowIndex.order(rows: rows, stateFilter: stateFilter, sort: sort)
        // Rebuilt with the rows while a filter is in use, so keystrokes never pay for it.
        search.text = filterText.isEmpty && mode != .filterInput ? nil : RowSearchText(rows)
        recomputeTextFilter()
    }

    /// Called when `/` opens the filter: the first keystroke is as quick as the rest.
    mutating func prepareSearch() {
        if search.text?.count != rows.count { search.text = RowSearchText(rows) }
    }

    /// Re-derives the visible order after only the `/` text changed: one scan of the base order.
    mutating func recomputeTextFilter() {
        let previousIndex = selectedIndex
        let textFilter = (try? TextFilter(filterText)) ?? nil
        if textFilter != nil { prepareSearch() }
        visible = RowIndex.filter(baseOrder, rows: rows, text: textFilter, search: search.text)
        if let sid = selectedSid, let i = visible.firstIndex(where: { rows[$0].callSid == sid }) {
            selectedIndex = i
        } else {
            selectedIndex = min(max(0, previousIndex), max(0, visible.count - 1))
            selectedSid = visible.isEmpty ? nil : rows[visible[selectedIndex]].callSid
        }
        // Keep the selected row at the same place on screen when rows move under it.
        scrollTop += selectedIndex - previousIndex
        clampScroll()
    }

    mutating func select(index: Int) {
        guard !visible.isEmpty else { selectedIndex = 0; selectedSid = nil; return }
        selectedIndex = min(max(0, index), visible.count - 1)
        selectedSid = rows[visible[selectedIndex]].callSid
        clampScroll()
    }

    mutating func clampScroll() {
        let height = layout.bodyRows
        if selectedIndex < scrollTop { scrollTop = selectedIndex }
        if selectedIndex >= scrollTop + height { scrollTop = selectedIndex - height + 1 }
        scrollTop = min(max(0, scrollTop), max(0, visible.count - height))
    }

    mutating func setStatus(_ text: String, isError: Bool = false) {
        status = StatusMessage(text: text, isError: isError, shownAt: now)
    }
}

/// Text wrapped to a width, kept with what it was made from, and as the
/// detail view draws it (indented lines).
public struct WrappedText: Sendable, Equatable {
    public private(set) var text = ""
    public private(set) var width = 0
    public private(set) var lines: [String] = []
    private(set) var indented: [StyledLine] = []
    /// `text.count`: counting characters walks the whole text, so it is kept too.
    private(set) var characters = 0

    init() {}

    init(text: String, width: Int) {
        self.text = text
        self.width = width
        lines = TextFit.wrap(text, width: width)
        indented = lines.map { [Span(DetailContent.transcriptIndent + $0)] }
        characters = text.count
    }

    func characterCount(of text: String) -> Int {
        text == self.text ? characters : text.count
    }

    /// The detail view's lines for `text` at `width`: the kept ones when they match.
    func indentedLines(of text: String, width: Int) -> [StyledLine] {
        width == self.width && text == self.text ? indented : WrappedText(text: text, width: width).indented
    }

    mutating func update(text: String, width: Int) {
        guard width != self.width || text != self.text else { return }
        self = WrappedText(text: text, width: width)
    }
}

extension DashboardState {
    mutating func rewrapTranscript() {
        guard let text = detail?.transcript?.text else {
            if !wrappedTranscript.lines.isEmpty { wrappedTranscript = WrappedText() }
            return
        }
        wrappedTranscript.update(text: text, width: DetailContent.transcriptWidth(columns: size.columns))
    }
}
