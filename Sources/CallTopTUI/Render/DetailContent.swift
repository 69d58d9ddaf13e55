import CallTopCore
import Foundation

/// The detail view's text for one call, as lines to scroll through. `update`
/// uses the same lines to keep scrolling inside them.
enum DetailContent {
    static let labelWidth = 14

    static let transcriptIndent = "    "
    /// Columns the transcript is wrapped to: the screen less its indent.
    static func transcriptWidth(columns: Int) -> Int { max(10, columns - transcriptIndent.count) }

    static func callSid(of state: DashboardState) -> String? {
        switch state.mode {
        case .detail(let sid), .help(returnTo: .detail(let sid)): return sid
        default: return nil
        }
    }

    /// The fields, then the transcript's lines: kept as the state holds them, not copied, so a
    /// frame costs the same with a long transcript as with a short one.
    struct Lines: RandomAccessCollection {
        var head: [StyledLine]
        var tail: [StyledLine] = []
        var startIndex: Int { 0 }
        var endIndex: Int { head.count + tail.count }
        subscript(i: Int) -> StyledLine { i < head.count ? head[i] : tail[i - head.count] }
    }

    static func lines(state: DashboardState, width: Int, timeZone: TimeZone) -> Lines {
        guard let sid = callSid(of: state) else { return Lines(head: []) }
        let format = Formatting(timeZone: timeZone)
        var out: [StyledLine] = []
        func field(_ label: String, _ value: String, _ role: StyleRole = .normal) {
            let valueWidth = max(10, width - labelWidth - 2)
            for (i, part) in TextFit.wrap(value, width: valueWidth).enumerated() {
                let head = i == 0 ? TextFit.truncate(label, to: labelWidth - 1) : ""
                out.append([Span("  "), Span(head.padding(toLength: labelWidth, withPad: " ", startingAt: 0), .label), Span(part, role)])
            }
        }
        func heading(_ text: String) {
            if !out.isEmpty { out.append([]) }
            out.append([Span(text, .title)])
        }

        let detail = state.detail?.row.callSid == sid ? state.detail : nil
        // The selected row is almost always the opened call; no scan over all rows per frame.
        let row = detail?.row ?? (state.selectedRow?.callSid == sid ? state.selectedRow : nil)

        heading("Call")
        field("Call SID", sid)
        if let row {
            field("From → To", "\(row.from) → \(row.to)")
            field("Direction", row.direction)
            field("Status", row.callStatus)
            field("Started", format.full(row.startTime))
        }
        if let detail {
            field("Ended", format.full(detail.endTime))
        }
        if let row { field("Duration", Formatting.duration(row.durationS)) }
        if let worker = row?.worker { field("Worker", "held by worker \(worker)", .pending) }
        if let price = detail?.price { field("Price", price) }

        guard let detail else {
            out.append([])
            out.append([Span("  loading details…", .dim)])
            return Lines(head: out)
        }

        if detail.recordings.isEmpty {
            heading("Recordings")
            out.append([Span("  this call has no recording", .absent)])
        }
        for (i, rec) in detail.recordings.enumerated() {
            heading("Recording \(i + 1) of \(detail.recordings.count)")
            field("Recording SID", rec.recordingSid)
            field("Status", rec.status)
            field("Channels", rec.channels.map(String.init) ?? "—")
            field("Duration", Formatting.duration(rec.durationS))
            field("Source", rec.source ?? "—")
            field("URI", rec.uri ?? "—")
            if let key = rec.publicKeySid { field("Encrypted", "yes, with key \(key)") }  // #15
            var stateRow = detail.row
            stateRow.downloadState = rec.downloadState
            stateRow.nextRetryAt = rec.nextRetryAt
            let (stateText, stateRole) = ListView.stateCell(stateRow, progress: state.progress[sid], format: format)
            field("Download", stateText, stateRole)
            field("Bytes", Formatting.exactBytes(rec.bytes))
            field("Expected", Formatting.exactBytes(rec.expectedBytes))
            field("Path", rec.path ?? "—")
            field("SHA-256", rec.sha256 ?? "—")
            field("Next retry", rec.nextRetryAt.map { format.full($0) } ?? "—")
            if let error = rec.lastError { field("Last error", error, .error) }
            out.append([Span("  Attempts (\(rec.attempts.count))", .label)])
            if rec.attempts.isEmpty {
                out.append([Span("    none yet", .dim)])
            } else {
                out.append([Span("    " + attemptColumns("TIME", "HTTP", "CODE", "BYTES", "MS") + "ERROR", .columnHeader)])
                for attempt in rec.attempts {
                    let text = attemptColumns(
                        format.full(attempt.startedAt),
                        attempt.httpStatus.map(String.init) ?? "—",
                        attempt.twilioCode.map(String.init) ?? "—",
                        "\(attempt.bytes)",
                        "\(attempt.durationMs)")
                    out.append([Span("    " + text), Span(attempt.error ?? "—", attempt.error == nil ? .dim : .error)])
                }
            }
        }

        heading("Transcript")
        if let transcript = detail.transcript {
            field("Source", Formatting.transcriptLabel(transcript.source), Formatting.transcriptRole(transcript.source))
            field("Why", transcript.reason)
            if let engine = transcript.engine { field("Engine", engine) }
            if let created = transcript.createdAt { field("Created", format.full(created)) }
            field("Length", "\(state.wrappedTranscript.characterCount(of: transcript.text)) chars")
            if detail.row.suspect {
                field("Cross-check", "offline and realtime transcripts disagree: check the recording and both engines", .failed)
            }
            if let delivery = detail.row.delivery { field("Webhook", delivery, delivery == "failing" ? .failed : .normal) }
            out.append([])
            return Lines(head: out, tail: state.wrappedTranscript.indentedLines(of: transcript.text, width: transcriptWidth(columns: width)))
        } else {
            out.append([Span("  no transcript yet", .dim)])
        }
        return Lines(head: out)
    }

    private static func attemptColumns(_ time: String, _ http: String, _ code: String, _ bytes: String, _ ms: String) -> String {
        func pad(_ s: String, _ n: Int) -> String { s.padding(toLength: max(n, s.count), withPad: " ", startingAt: 0) + " " }
        return pad(time, 23) + pad(http, 4) + pad(code, 5) + TextFit.padLeft(bytes, to: 9) + " " + TextFit.padLeft(ms, to: 6) + "  "
    }
}

enum DetailView {
    static func draw(_ state: DashboardState, into buffer: inout ScreenBuffer, layout: ScreenLayout, format: Formatting) {
        let sid = DetailContent.callSid(of: state) ?? ""
        buffer.clear(row: layout.titleRow, role: .columnHeader)
        buffer.put(" \(sid)", row: layout.titleRow, column: 0, role: .columnHeader)
        let lines = DetailContent.lines(state: state, width: buffer.size.columns, timeZone: format.calendar.timeZone)
        let top = min(max(0, state.detailScroll), max(0, lines.count - layout.bodyRows))
        for i in 0..<min(layout.bodyRows, max(0, lines.count - top)) {
            buffer.draw(lines[top + i], row: layout.bodyTop + i)
        }
        if lines.count > layout.bodyRows {
            let more = "\(top + 1)-\(min(lines.count, top + layout.bodyRows)) of \(lines.count)"
            buffer.put(more, row: layout.titleRow, column: buffer.size.columns - more.count - 1, role: .columnHeader)
        }
    }
}
