import Foundation

/// Draws the whole screen for a state. Pure: the same state, size, time and
/// zone give the same buffer. Work per frame depends on the screen size, not
/// on how many calls are loaded.
public func render(_ state: DashboardState, size: TerminalSize, now: Date, timeZone: TimeZone) -> ScreenBuffer {
    var buffer = ScreenBuffer(size: size)
    let layout = ScreenLayout(size: size, showLog: state.showLog)
    if layout.isTooSmall {
        drawTooSmall(&buffer)
        return buffer
    }
    let format = Formatting(timeZone: timeZone)
    HeaderView.draw(state, into: &buffer, now: now, format: format)
    switch state.mode {
    case .main, .filterInput, .confirm:
        ListView.draw(state, into: &buffer, layout: layout, now: now, format: format)
    case .detail:
        DetailView.draw(state, into: &buffer, layout: layout, format: format)
    case .help:
        HelpView.draw(state, into: &buffer, layout: layout)
    case .workers:
        WorkersView.draw(state, into: &buffer, layout: layout, now: now)
    }
    if state.showLog { LogPane.draw(state, into: &buffer, layout: layout) }
    StatusLine.draw(state, into: &buffer, layout: layout, format: format)
    Footer.draw(state, into: &buffer, layout: layout)
    if case .confirm(let action) = state.mode {
        ConfirmPopup.draw(action, into: &buffer, layout: layout)
    }
    return buffer
}

/// Below 60×15 the dashboard cannot show a useful list; it says so instead
/// of drawing something cut off and misleading.
private func drawTooSmall(_ buffer: inout ScreenBuffer) {
    let size = buffer.size
    let min = ScreenLayout.minimumSize
    let lines = [
        "terminal too small",
        "\(size.columns)×\(size.rows), need at least \(min.columns)×\(min.rows)",
        "q quits",
    ]
    let top = max(0, size.rows / 2 - 1)
    for (i, line) in lines.enumerated() {
        let text = TextFit.truncate(line, to: size.columns)
        let x = max(0, (size.columns - DisplayWidth.of(text)) / 2)
        buffer.put(text, row: top + i, column: x, role: i == 0 ? .error : .dim)
    }
}
