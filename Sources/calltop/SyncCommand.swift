import ArgumentParser
import CallTopCore
import Foundation

struct SyncCommand: CallTopCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Pull calls and recording metadata into the store.",
        discussion: """
            Incremental: starts a day before the last successful sync (the first sync looks back 7 days).
            Re-running changes nothing. Each page is stored as it arrives; if a page fails, what was
            fetched stays and the next sync starts from the same place.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Start from this UTC day (YYYY-MM-DD) instead of the last sync.", valueName: "date"))
    var since: String?

    @Option(help: "Stop after this many calls (newest first).")
    var limit: Int?

    func execute() async throws {
        let workspace = try global.workspace()
        var options = SyncService.Options(limit: limit)
        if let since {
            guard let date = Self.parseDay(since) else { throw CommandFailure("--since takes a day as YYYY-MM-DD, not '\(since)'") }
            options.since = date
        }
        progressLine("syncing from \(workspace.host.hostName)…")
        let report = try await workspace.syncService().run(options)
        endProgressLine()
        print("synced \(report.calls) calls (\(report.newCalls) new) and \(report.recordings) recordings (\(report.newRecordings) new) from \(workspace.host.hostName), \(report.pages) pages since \(report.windowStart ?? "-")"
              + (report.resumedFrom != nil ? " (went on from the page the last run stopped at)" : "")
              + (report.rejected > 0 ? "; \(report.rejected) unreadable item(s) set aside (see calltop.log)" : ""))
    }

    static func parseDay(_ text: String) -> Date? {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, (1970...9999).contains(parts[0]), (1...12).contains(parts[1]), (1...31).contains(parts[2]) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2]))
    }
}
