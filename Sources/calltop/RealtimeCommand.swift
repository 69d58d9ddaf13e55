import ArgumentParser
import CallTopCore
import Foundation

struct RealtimeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "realtime",
        abstract: "Realtime transcripts (the fallback when no offline transcript exists).",
        subcommands: [Import.self])

    struct Import: CallTopCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Store a realtime transcript for a call, from a file or - for stdin.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: ArgumentHelp("The call (CA…).", valueName: "call"))
        var call: String

        @Argument(help: ArgumentHelp("Text file, or - to read stdin.", valueName: "file"))
        var source: String

        @Option(help: "Where the transcript came from, kept with it.")
        var origin = "import"

        func validate() throws {
            try requireCallSID(call)
        }

        func execute() async throws {
            let data = source == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: source))
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty else { throw CommandFailure("the realtime transcript is empty") }
            let store = try global.workspace().store
            guard try store.callExists(call) else { throw CommandFailure("\(call) is not in the store: run `calltop sync`") }
            try store.saveRealtimeTranscript(text, callSid: call, origin: origin, now: Date())
            print("stored \(text.count) chars of realtime transcript for \(call)")
        }
    }
}
