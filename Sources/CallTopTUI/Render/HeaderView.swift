import CallTopCore
import Foundation

/// Two lines: who and where (account, API host, markers), then what state the
/// recordings are in and how fresh that is.
enum HeaderView {
    static let stateOrder: [DownloadState?] = [.downloaded, .downloading, .pending, .notReady, .retrying, .failed, .absent, nil]

    static func draw(_ state: DashboardState, into buffer: inout ScreenBuffer, now: Date, format: Formatting) {
        let width = buffer.size.columns
        buffer.clear(row: 0, role: .header)
        let context = state.context
        let account = width >= 110 || context.accountSid.count <= 12
            ? context.accountSid
            : "\(context.accountSid.prefix(6))…\(context.accountSid.suffix(4))"

        var right: StyledLine = []
        if state.syncing { right += [Span(" SYNCING ", .badge), Span(" ", .header)] }
        if state.paused { right += [Span(" PAUSED ", .badge), Span(" ", .header)] }
        if state.readonly { right += [Span(" READONLY ", .badge), Span(" ", .header)] }
        right.append(Span("refresh \(state.refreshSeconds)s ", .header))
        let rightWidth = right.displayWidth

        var left: StyledLine = [Span(" calltop  ", .header), Span(account, .header), Span("  \(context.apiHost)", .header)]
        if context.isDemo { left += [Span("  ", .header), Span(" DEMO ", .badge)] }
        buffer.draw(left, row: 0, limit: max(0, width - rightWidth - 1))
        buffer.draw(right, row: 0, column: max(0, width - rightWidth))

        // Line 2: counts per state in the state's own colour, sync age on the right.
        let sync: String
        if let last = state.lastSync {
            sync = "synced \(format.clock(last)) (\(Formatting.age(now.timeIntervalSince(last))) ago)"
        } else {
            sync = state.syncing ? "syncing…" : "not synced yet"
        }
        var counts: StyledLine = [Span(" \(state.rows.count) calls", .normal)]
        for s in stateOrder {
            guard let n = state.counts[s], n > 0 else { continue }
            counts += [Span("  "), Span("\(s?.rawValue ?? "no recording") \(n)", StyleRole.forState(s))]
        }
        let syncWidth = DisplayWidth.of(sync) + 1
        buffer.draw(counts, row: 1, limit: max(0, width - syncWidth - 1))
        buffer.put(sync, row: 1, column: max(0, width - syncWidth), role: .dim)
    }
}
