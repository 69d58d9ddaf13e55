import ArgumentParser
import CallTopCore
import Foundation

struct ExportCommand: CallTopCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "One line per call with its authoritative transcript, its source and why (for the data team).",
        discussion: """
            Reads the store only (run `calltop sync` first). Newest call first. Columns / keys:
            \(CallExportRecord.csvHeader.joined(separator: ", ")). Times are ISO 8601 UTC.
            jsonl: one JSON object per line. csv: RFC 4180 with a header line; fields holding commas,
            quotes or newlines are quoted, and a field starting with = + - @ gets a leading ' so
            spreadsheets do not run it.
            Example: calltop export --since 2026-11-01 --format csv > calls.csv
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Only calls that started on or after this UTC day (YYYY-MM-DD) or time (ISO 8601).", valueName: "date"))
    var since: String?

    @Option(help: ArgumentHelp("jsonl or csv.", valueName: "format"))
    var format: String = ExportFormat.jsonl.rawValue

    func validate() throws {
        guard ExportFormat(rawValue: format) != nil else { throw ValidationError("--format must be jsonl or csv, not '\(format)'") }
        if let since, Self.parseSince(since) == nil {
            throw ValidationError("--since takes a day (YYYY-MM-DD) or an ISO 8601 time (2026-11-24T10:00:00Z), not '\(since)'")
        }
    }

    static func parseSince(_ text: String) -> Date? {
        SyncCommand.parseDay(text) ?? (try? Date(text, strategy: .iso8601))
    }

    func execute() async throws {
        let store = try global.workspace().store
        let format = ExportFormat(rawValue: format) ?? .jsonl
        let cutoff = since.flatMap(Self.parseSince)
        var out = ""
        if let header = format.header { out += header + "\n" }
        var count = 0
        for row in try store.callRows() {
            if let cutoff, (row.startTime ?? .distantPast) < cutoff { continue }
            out += try format.line(CallExportRecord(row: row, transcript: try store.authoritativeTranscript(row.callSid))) + "\n"
            count += 1
            if out.utf8.count > 1 << 20 { FileHandle.standardOutput.write(Data(out.utf8)); out = "" }
        }
        FileHandle.standardOutput.write(Data(out.utf8))
        if stderrIsTerminal { FileHandle.standardError.write(Data("exported \(count) calls\n".utf8)) }
    }
}
