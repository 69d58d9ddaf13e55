import CallTopCore
import Foundation

/// The `[OFFLINE_STT]` log lines, newest at the bottom.
enum LogPane {
    static func draw(_ state: DashboardState, into buffer: inout ScreenBuffer, layout: ScreenLayout) {
        guard layout.logRows > 0 else { return }
        let lineCount = layout.logRows - 1
        let title = "─ log: last \(min(lineCount, state.log.count)) of \(state.log.totalAppended) lines (l hides) "
        buffer.put(title + String(repeating: "─", count: max(0, buffer.size.columns - DisplayWidth.of(title))),
                   row: layout.logTop, column: 0, role: .border)
        let lines = state.log.last(lineCount)
        for (i, line) in lines.enumerated() {
            buffer.put(line, row: layout.logTop + 1 + i, column: 1, role: looksLikeError(line) ? .error : .dim)
        }
        if lines.isEmpty {
            buffer.put("no log lines yet", row: layout.logTop + 1, column: 1, role: .dim)
        }
    }

    static func looksLikeError(_ line: String) -> Bool {
        let lower = line.lowercased()
        return lower.contains("fail") || lower.contains("missing") || lower.contains("too small")
            || lower.contains("error") || lower.contains("could not")
    }
}

/// Messages and errors; the `/` input while filtering; otherwise what the
/// selected call is and why it failed.
enum StatusLine {
    static func draw(_ state: DashboardState, into buffer: inout ScreenBuffer, layout: ScreenLayout, format: Formatting) {
        let y = layout.statusRow
        let width = buffer.size.columns
        buffer.clear(row: y, role: .status)

        if state.mode == .filterInput {
            var x = buffer.put("/" + state.filterDraft, row: y, column: 0, role: .filterInput, limit: width - 1)
            x = buffer.put(" ", row: y, column: x, role: .selected) // the cursor
            if let error = state.filterError {
                buffer.put("  " + error, row: y, column: x, role: .error)
            } else {
                buffer.put("  \(state.visible.count) match · Enter keep · Esc cancel · re: regex", row: y, column: x, role: .status)
            }
            return
        }

        if let status = state.status {
            buffer.put(" " + status.text, row: y, column: 0, role: status.isError ? .error : .status, limit: width)
        } else if let row = state.selectedRow, case .main = state.mode {
            var line: StyledLine = [Span(" \(row.callSid)  \(state.selectedIndex + 1)/\(state.visible.count)", .status)]
            if let error = row.lastError, row.downloadState == .failed || row.downloadState == .retrying || row.downloadState == .notReady {
                line += [Span("  "), Span(error, .error)]
            }
            buffer.draw(line, row: y, limit: width)
        }
    }
}

/// The main keys, from the key table; help and quit always come first so a
/// narrow terminal still shows them.
enum Footer {
    static func items(for state: DashboardState) -> [(key: String, label: String)] {
        switch state.mode {
        case .help:
            return [("Esc", "close help"), ("j/k", "scroll"), ("PgUp/PgDn", "page")]
        case .workers:
            return [("Esc", "back"), ("j/k", "scroll"), ("PgUp/PgDn", "page"), ("l", "log"), ("p", "pause")]
        case .confirm:
            return [("y", "yes"), ("n", "no")]
        case .filterInput:
            return [("Enter", "keep filter"), ("Esc", "cancel"), ("Ctrl-U", "clear"), ("↑/↓", "move")]
        case .main, .detail:
            let inDetail: Bool
            if case .detail = state.mode { inDetail = true } else { inDetail = false }
            // The workers pane earns footer room once there are workers to show (always in team mode).
            let showsWorkers = state.context.teamMode || !state.workers.isEmpty
            let bindings = KeyBindings.standard.bindings.filter {
                $0.footer != nil && (!inDetail || $0.inDetail) && !(state.readonly && $0.changesData)
                    && !(inDetail == false && $0.action == .back) && ($0.action != .showWorkers || showsWorkers)
            }
            let first: [DashboardAction] = [.quit, .help, .showWorkers]
            let ordered = first.compactMap { action in bindings.first { $0.action == action } }
                + bindings.filter { !first.contains($0.action) }
            return ordered.map { (shortLabel($0.keys[0]), $0.footer!) }
        }
    }

    private static func shortLabel(_ key: Key) -> String {
        switch key {
        case .enter: return "⏎"
        case .character(" "): return "␣"
        default: return key.label
        }
    }

    static func draw(_ state: DashboardState, into buffer: inout ScreenBuffer, layout: ScreenLayout) {
        let y = layout.footerRow
        let width = buffer.size.columns
        buffer.clear(row: y, role: .footer)
        var x = 0
        for item in items(for: state) {
            let needed = DisplayWidth.of(item.key) + 1 + DisplayWidth.of(item.label) + 2
            guard x + needed <= width else { break }
            x = buffer.put(" " + item.key, row: y, column: x, role: .footerKey)
            x = buffer.put(" " + item.label + " ", row: y, column: x, role: .footer)
        }
    }
}

/// A box over the list asking before a change that touches many calls.
enum ConfirmPopup {
    static func draw(_ action: ConfirmAction, into buffer: inout ScreenBuffer, layout: ScreenLayout) {
        let title: String
        let question: String
        switch action {
        case .retryAllFailed(let count):
            title = " Retry all failed "
            question = "Retry \(count) failed download\(count == 1 ? "" : "s") now?"
        }
        let answer = "y retry   n cancel"
        let inner = min(buffer.size.columns - 6, max(DisplayWidth.of(question), DisplayWidth.of(answer)) + 4)
        let boxWidth = inner + 2
        let left = (buffer.size.columns - boxWidth) / 2
        let top = layout.bodyTop + max(0, (layout.bodyRows - 5) / 2)
        func centered(_ text: String) -> String {
            let t = TextFit.truncate(text, to: inner)
            let pad = (inner - DisplayWidth.of(t)) / 2
            return String(repeating: " ", count: pad) + t + String(repeating: " ", count: inner - pad - DisplayWidth.of(t))
        }
        let titleText = TextFit.truncate(title, to: inner)
        buffer.put("┌" + titleText + String(repeating: "─", count: inner - DisplayWidth.of(titleText)) + "┐",
                   row: top, column: left, role: .border)
        for (i, text) in ["", question, "", answer].enumerated() {
            buffer.put("│", row: top + 1 + i, column: left, role: .border)
            buffer.put(centered(text), row: top + 1 + i, column: left + 1, role: .popup)
            buffer.put("│", row: top + 1 + i, column: left + 1 + inner, role: .border)
        }
        buffer.put("└" + String(repeating: "─", count: inner) + "┘", row: top + 5, column: left, role: .border)
    }
}
