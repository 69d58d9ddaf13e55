import CallTopCore
import Foundation

/// `list` output: the documented JSON, or a plain table for people.
enum CallListFormat {
    static func json(_ rows: [CallRow]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(rows), as: UTF8.self)
    }

    static func table(_ rows: [CallRow], timeZone: TimeZone) -> String {
        guard !rows.isEmpty else { return "no calls in the store: run `calltop sync`\n" }
        let header = ["TIME", "CALL", "DIR", "FROM", "TO", "DUR", "STATUS", "RECORDING", "STATE", "BYTES", "TRANSCRIPT", "NOTE"]
        var table = [header]
        let time = Date.FormatStyle(date: .numeric, time: .shortened, timeZone: timeZone)
        for r in rows {
            var note = r.lastError ?? ""
            if r.recordingCount > 1 { note = "\(r.recordingCount) rec" + (note.isEmpty ? "" : " · " + note) }
            if let next = r.nextRetryAt, r.downloadState == .retrying || r.downloadState == .notReady {
                note = "next try \(next.formatted(.dateTime.hour().minute().second())) · " + note
            }
            let cells: [String] = [
                r.startTime.map { $0.formatted(time) } ?? "-", r.callSid, r.direction, r.from, r.to,
                r.durationS.map { "\($0)s" } ?? "-", r.callStatus, r.recordingSid ?? "-", r.downloadState?.rawValue ?? "-",
                r.bytes.map(String.init) ?? "-",
                r.transcriptSource == .none ? "-" : "\(r.transcriptSource.rawValue) \(r.transcriptChars)c",
                String(note.prefix(60)),
            ]
            // Caller names, numbers and Twilio's errors come from outside: one line per call, whatever they hold.
            table.append(cells.map { SafeText.escaped($0) })
        }
        let widths = header.indices.map { i in table.map { $0[i].count }.max() ?? 0 }
        return table.map { row in
            row.enumerated().map { i, cell in i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n") + "\n"
    }
}
