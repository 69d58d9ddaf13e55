import ArgumentParser
import CallTopCore
import Foundation

extension DownloadState: ExpressibleByArgument {}

struct ListCommand: CallTopCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "One row per call, newest first: recording download state, bytes, transcript source.",
        discussion: """
            A call's STATE is the one that needs attention first among its recordings (failed, retrying, not_ready,
            downloading, pending, downloaded, absent); NOTE says how many recordings a call has when it has more than one.
            With --json: an array of objects with the fields documented in DESIGN.md, each with a `recordings` array
            (oldest first); times in ISO 8601 UTC.
            """)

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Option(help: ArgumentHelp("Only calls with a recording in this state: \(DownloadState.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "state"))
    var state: DownloadState?

    @Option(help: "At most this many rows.")
    var limit: Int?

    func execute() async throws {
        let workspace = try global.workspace()
        let rows = try workspace.store.callRows(state: state, limit: limit, withRecordings: json)
        if json {
            print(try CallListFormat.json(rows))
        } else {
            print(CallListFormat.table(rows, timeZone: .current), terminator: "")
        }
    }
}
