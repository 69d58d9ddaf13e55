import CallTopCore
import Foundation

/// The list's columns. Narrow terminals drop the least needed ones first.
enum ListColumn: CaseIterable {
    case mark, time, direction, parties, duration, callStatus, state, bytes, transcript, chars

    var title: String {
        switch self {
        case .mark: return ""
        case .time: return "STARTED"
        case .direction: return "DIR"
        case .parties: return "FROM → TO"
        case .duration: return "DUR"
        case .callStatus: return "CALL"
        case .state: return "RECORDING"
        case .bytes: return "BYTES"
        case .transcript: return "SOURCE"
        case .chars: return "CHARS"
        }
    }

    var preferredWidth: Int {
        switch self {
        case .mark: return 1
        case .time: return 11
        case .direction: return 3
        case .parties: return 21
        case .duration: return 7
        case .callStatus: return 11
        case .state: return 19
        case .bytes: return 6
        case .transcript: return 11  // REALTIME! ✓
        case .chars: return 6
        }
    }

    var alignsRight: Bool { self == .duration || self == .bytes || self == .chars }

    /// Dropped in this order when the terminal is too narrow.
    static let dropOrder: [ListColumn] = [.callStatus, .direction, .chars, .duration]
}

struct ColumnLayout {
    struct Placed { let column: ListColumn; let x: Int; let width: Int }
    let placed: [Placed]

    /// Below this width the start time shows as "14:02" (today) or "11-26" (earlier).
    static let compactTimeBelow = 100

    init(width: Int) {
        var active = ListColumn.allCases
        var widths = Dictionary(uniqueKeysWithValues: ListColumn.allCases.map { ($0, $0.preferredWidth) })
        if width < Self.compactTimeBelow { widths[.time] = 5 }
        func fixed() -> Int {
            active.filter { $0 != .parties }.reduce(0) { $0 + widths[$1]! } + active.count - 1
        }
        // Wide enough for two full E.164 numbers before any other column gives way.
        let partiesMinimum = 27
        for column in ListColumn.dropOrder where width - fixed() < partiesMinimum {
            active.removeAll { $0 == column }
        }
        // Last resort before cutting the numbers further: a shorter state column ("retrying @14:0…").
        while width - fixed() < 16, widths[.state]! > 16 { widths[.state]! -= 1 }
        widths[.parties] = max(4, width - fixed())
        var x = 0
        var placed: [Placed] = []
        for column in active {
            placed.append(Placed(column: column, x: x, width: widths[column]!))
            x += widths[column]! + 1
        }
        self.placed = placed
    }
}

enum ListView {
    static func draw(_ state: DashboardState, into buffer: inout ScreenBuffer, layout: ScreenLayout, now: Date, format: Formatting) {
        let columns = ColumnLayout(width: buffer.size.columns)
        let compactTime = buffer.size.columns < ColumnLayout.compactTimeBelow
        buffer.clear(row: layout.titleRow, role: .columnHeader)
        for p in columns.placed {
            let title = p.column.alignsRight ? TextFit.padLeft(p.column.title, to: p.width) : p.column.title
            buffer.put(title, row: layout.titleRow, column: p.x, role: .columnHeader, limit: p.width)
        }

        guard !state.visible.isEmpty else {
            let message: String
            if !state.rowsLoadedOnce {
                message = "loading calls…"
            } else if state.rows.isEmpty {
                message = state.syncing ? "no calls in the store yet: syncing from Twilio…" : "no calls in the store yet"
            } else {
                message = "no calls match (showing \(state.stateFilter.rawValue)\(state.filterText.isEmpty ? "" : ", /\(state.filterText)"); Esc clears)"
            }
            buffer.put(message, row: layout.bodyTop + 1, column: 2, role: .dim)
            return
        }

        let height = layout.bodyRows
        let top = visibleTop(state, height: height)
        // Only the rows on screen are formatted: the frame costs the same for 100 or 100,000 calls.
        for line in 0..<min(height, state.visible.count - top) {
            let index = top + line
            let row = state.rows[state.visible[index]]
            drawRow(row, state: state, selected: index == state.selectedIndex, y: layout.bodyTop + line,
                    columns: columns, compactTime: compactTime, now: now, into: &buffer, format: format)
        }
    }

    static func visibleTop(_ state: DashboardState, height: Int) -> Int {
        var top = state.scrollTop
        let selected = state.selectedIndex
        if selected < top { top = selected }
        if selected >= top + height { top = selected - height + 1 }
        return min(max(0, top), max(0, state.visible.count - height))
    }

    private static func drawRow(
        _ row: CallRow, state: DashboardState, selected: Bool, y: Int,
        columns: ColumnLayout, compactTime: Bool, now: Date, into buffer: inout ScreenBuffer, format: Formatting
    ) {
        let marked = state.marks.contains(row.callSid)
        let base: StyleRole = marked ? .marked : .normal
        for p in columns.placed {
            let (text, role) = p.column == .time && compactTime
                ? (format.compactTime(row.startTime, now: now), base)
                : cell(p.column, row: row, state: state, base: base, format: format)
            let fitted = p.column.alignsRight ? TextFit.padLeft(text, to: p.width) : TextFit.truncate(text, to: p.width)
            buffer.put(fitted, row: y, column: p.x, role: role, limit: p.width)
        }
        if selected { buffer.paint(row: y, columns: 0..<buffer.size.columns, role: .selected) }
    }

    private static func cell(
        _ column: ListColumn, row: CallRow, state: DashboardState, base: StyleRole, format: Formatting
    ) -> (String, StyleRole) {
        switch column {
        case .mark: return (base == .marked ? "*" : " ", base)
        case .time: return (format.dayTime(row.startTime), base)
        case .direction: return (Formatting.direction(row.direction), base)
        case .parties: return ("\(row.from) → \(row.to)", base)
        case .duration: return (Formatting.duration(row.durationS), base)
        case .callStatus: return (row.callStatus, base)
        case .state: return stateCell(row, progress: state.progress[row.callSid], format: format)
        case .bytes:
            if row.downloadState == .downloading, let p = state.progress[row.callSid] {
                return (Formatting.humanBytes(p.bytes), .downloading)
            }
            return (Formatting.humanBytes(row.bytes), base)
        case .transcript:
            if let fraction = state.transcribing[row.callSid] {
                return ("STT \(Int(fraction * 100))%", .pending)
            }
            // Team mode: the worker downloading or transcribing the call, where local progress would show.
            if let worker = row.worker { return ("⚙ " + worker, .pending) }
            // "!" marks a transcript the cross-check flagged; ✓ … ✗ the outbound webhook's delivery.
            let flags = (row.suspect ? "!" : "") + Formatting.deliveryMark(row.delivery)
            return (Formatting.transcriptLabel(row.transcriptSource) + flags,
                    row.suspect ? .failed : Formatting.transcriptRole(row.transcriptSource))
        case .chars:
            return (row.transcriptSource == .none ? "—" : "\(row.transcriptChars)", base)
        }
    }

    /// The recording state as the list shows it, never rounder than the truth:
    /// progress while downloading, the next try while waiting. A call with
    /// several recordings says how many ("failed 2 rec"), its state being the
    /// one that needs attention first; the detail view lists each.
    static func stateCell(_ row: CallRow, progress: DownloadProgress?, format: Formatting) -> (String, StyleRole) {
        let (text, role) = singleStateCell(row, progress: progress, format: format)
        guard row.recordingCount > 1, let state = row.downloadState else { return (text, role) }
        let count = " \(row.recordingCount) rec"
        let width = ListColumn.state.preferredWidth
        return (text.count + count.count <= width ? text + count : state.rawValue + count, role)
    }

    private static func singleStateCell(_ row: CallRow, progress: DownloadProgress?, format: Formatting) -> (String, StyleRole) {
        guard let state = row.downloadState else { return ("no recording", .absent) }
        let role = StyleRole.forState(state)
        switch state {
        case .downloading:
            if let progress {
                if let percent = progress.percent { return ("downloading \(percent)%", role) }
                return ("downloading \(Formatting.humanBytes(progress.bytes))", role)
            }
            return ("downloading", role)
        case .retrying, .notReady:
            if let next = row.nextRetryAt { return ("\(state.rawValue) @\(format.clock(next))", role) }
            return (state.rawValue, role)
        default:
            return (state.rawValue, role)
        }
    }
}
