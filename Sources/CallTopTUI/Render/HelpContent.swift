import CallTopCore

/// The help screen, generated from the key table so it cannot drift from
/// what the keys do.
enum HelpContent {
    static func lines(width: Int, bindings: KeyBindings = .standard) -> [StyledLine] {
        var out: [StyledLine] = []
        let keyWidth = 18
        for section in KeyBinding.Section.allCases {
            if !out.isEmpty { out.append([]) }
            out.append([Span(section.rawValue, .title)])
            for binding in bindings.bindings where binding.section == section {
                out.append([Span("  "), Span(binding.keyLabel.padding(toLength: keyWidth, withPad: " ", startingAt: 0), .footerKey),
                            Span(binding.summary)])
            }
        }
        out.append([])
        out.append([Span("Filter (/)", .title)])
        out.append([Span("  "), Span("text".padding(toLength: keyWidth, withPad: " ", startingAt: 0), .footerKey),
                    Span("calls whose SID, number, state or status contains it (any case)")])
        out.append([Span("  "), Span("re:^CA1.*".padding(toLength: keyWidth, withPad: " ", startingAt: 0), .footerKey),
                    Span("a regular expression instead")])
        out.append([Span("  "), Span("Enter / Esc".padding(toLength: keyWidth, withPad: " ", startingAt: 0), .footerKey),
                    Span("keep the filter / put back the previous one; Ctrl-U clears")])
        out.append([])
        out.append([Span("Recording states", .title)])
        let meanings: [(DownloadState, String)] = [
            (.pending, "queued for download"),
            (.downloading, "being fetched (progress in %)"),
            (.downloaded, "on disk, size and SHA-256 checked"),
            (.notReady, "Twilio is still processing it; retried at the time shown"),
            (.retrying, "temporary error (429, 5xx, network); next try at the time shown"),
            (.failed, "gave up; Enter shows why, r retries"),
            (.absent, "Twilio says this recording does not exist"),
        ]
        for (state, meaning) in meanings {
            out.append([Span("  "), Span(state.rawValue.padding(toLength: keyWidth, withPad: " ", startingAt: 0), StyleRole.forState(state)),
                        Span(meaning)])
        }
        return out
    }
}

enum HelpView {
    static func draw(_ state: DashboardState, into buffer: inout ScreenBuffer, layout: ScreenLayout) {
        buffer.clear(row: layout.titleRow, role: .columnHeader)
        buffer.put(" Keys  (any other key closes help, j/k scroll)", row: layout.titleRow, column: 0, role: .columnHeader)
        let lines = HelpContent.lines(width: buffer.size.columns)
        let top = min(max(0, state.helpScroll), max(0, lines.count - layout.bodyRows))
        for i in 0..<min(layout.bodyRows, max(0, lines.count - top)) {
            buffer.draw(lines[top + i], row: layout.bodyTop + i, column: 1)
        }
    }
}
