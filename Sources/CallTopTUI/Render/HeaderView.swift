import CallTopCore
import Foundation

/// Three lines: who and where (account, API host, markers); how many
/// recordings are in each state; how fresh that is, the workers sharing the
/// store, and what the list shows.
enum HeaderView {
    /// Problems first, so a narrow terminal cuts the least urgent counts.
    static let stateOrder: [DownloadState?] = [.failed, .retrying, .notReady, .downloading, .pending, .downloaded, .absent, nil]

    static func draw(_ state: DashboardState, into buffer: inout ScreenBuffer, now: Date, format: Formatting) {
        let width = buffer.size.columns
        let context = state.context

        // Line 1: a bar; the markers on the right are never cut.
        buffer.clear(row: 0, role: .header)
        let account = width >= 110 || context.accountSid.count <= 12
            ? context.accountSid
            : "\(context.accountSid.prefix(6))…\(context.accountSid.suffix(4))"
        var right: StyledLine = []
        if state.syncing { right += [Span(" SYNCING ", .badge), Span(" ", .header)] }
        if state.paused { right += [Span(" PAUSED ", .badge), Span(" ", .header)] }
        if state.readonly { right += [Span(" READONLY ", .badge), Span(" ", .header)] }
        let rightWidth = right.displayWidth
        var left: StyledLine = [Span(width >= 80 ? " calltop  " : " ", .header), Span(account, .header),
                                Span("  \(context.apiHost)", .header)]
        if context.isDemo { left += [Span("  ", .header), Span(" DEMO ", .badge)] }
        buffer.draw(left, row: 0, limit: max(0, width - rightWidth - 1))
        buffer.draw(right, row: 0, column: max(0, width - rightWidth))

        // Line 2: counts in each state's own colour.
        let present = stateOrder.compactMap { s in state.counts[s].flatMap { $0 > 0 ? (s, $0) : nil } }
        func counts(compact: Bool) -> StyledLine {
            var line: StyledLine = compact ? [] : [Span(state.totalCalls.map { " \($0) calls (loading)" } ?? " \(state.rows.count) calls", .normal)]
            for (s, n) in present {
                let name = s?.rawValue ?? "no recording"
                line += [Span(compact && !line.isEmpty ? " " : compact ? " " : "  "),
                         Span(compact ? "\(name):\(n)" : "\(name) \(n)", StyleRole.forState(s))]
            }
            return line
        }
        var line2 = counts(compact: false)
        if line2.displayWidth > width { line2 = counts(compact: true) }
        if line2.displayWidth > width, let last = line2.indices.last {
            // Say that something was cut rather than show a misleading short list.
            buffer.draw(line2, row: 1, limit: width - 1)
            buffer.put("…", row: 1, column: width - 1, role: line2[last].role)
        } else {
            buffer.draw(line2, row: 1)
        }

        // Line 3: freshness and the workers on the left, what the list shows on the right.
        var sync: String
        if let last = state.lastSync {
            let age = Formatting.age(now.timeIntervalSince(last))
            sync = width >= 80 ? " synced \(format.clock(last)) (\(age) ago)" : " synced \(age) ago"
        } else {
            sync = state.syncing ? " syncing…" : " not synced yet"
        }
        let refresh = state.paused ? " · auto refresh paused"
            : width >= 80 ? " · refresh every \(state.refreshSeconds)s" : " · every \(state.refreshSeconds)s"
        let backlog = state.backlog.label.map { " · " + $0 } ?? ""
        var view = ""
        if !state.marks.isEmpty { view += "\(state.marks.count) marked · " }
        if state.stateFilter != .all { view += "show \(state.stateFilter.rawValue) · " }
        if !state.filterText.isEmpty { view += "/\(state.filterText) · " }
        if state.visible.count != state.rows.count { view += "\(state.visible.count) of \(state.rows.count) · " }
        view += "\(state.sort.rawValue) "

        func freshness(team: Span?, withRefresh: Bool) -> StyledLine {
            var line = [Span(sync + (withRefresh ? refresh : ""), .dim)]
            if let team { line += [Span(" · ", .dim), team] }
            return line + [Span(backlog, .dim)]
        }
        var line3 = freshness(team: nil, withRefresh: true)
        if let long = teamText(state, now: now, short: false), let short = teamText(state, now: now, short: true) {
            // Narrow terminals give up the refresh interval (changes show within a second in team
            // mode anyway), then the engine's name, before the workers. Paused always stays said.
            let tries = [freshness(team: long, withRefresh: true), freshness(team: long, withRefresh: state.paused),
                         freshness(team: short, withRefresh: state.paused)]
            line3 = tries.first { $0.displayWidth + DisplayWidth.of(view) + 2 <= width } ?? tries[2]
        }
        view = TextFit.truncate(view, to: max(0, width - line3.displayWidth - 2))
        buffer.draw(line3, row: 2)
        buffer.put(view, row: 2, column: width - DisplayWidth.of(view), role: .dim)
    }

    /// Line 3's word on the workers: the engine and the live workers; in team
    /// mode with none live, a warning, since nothing will download or transcribe.
    /// Nil when there is nothing to say (no worker ever, not in team mode).
    static func teamText(_ state: DashboardState, now: Date, short: Bool) -> Span? {
        let team = TeamSummary(workers: state.workers, now: now)
        let engine = state.context.storeEngine
        if team.live > 0 {
            let counts = "\(team.live) worker\(team.live == 1 ? "" : "s"), \(team.busy) busy"
            return Span(short ? counts : "\(engine) · \(counts)", .dim)
        }
        guard state.context.teamMode, state.workersLoaded else { return nil }
        return Span(short ? "no workers" : "\(engine) · no workers", .warning)
    }
}
