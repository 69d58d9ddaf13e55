import ArgumentParser
import CallTopCore
import Foundation

struct TranscriptCommand: CallTopCommand {
    static let configuration = CommandConfiguration(
        commandName: "transcript",
        abstract: "The authoritative transcript of a call, its source (offline/realtime) and why it won.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The call (CA…).", valueName: "call"))
    var call: String

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        try requireCallSID(call)
    }

    func execute() async throws {
        let store = try global.workspace().store
        guard try store.callExists(call) else { throw CommandFailure("\(call) is not in the store: run `calltop sync`") }
        let choice = try store.authoritativeTranscript(call) ?? AuthoritativeTranscript(source: .none, reason: "none available", text: "")
        let offline = try store.offlineTranscript(call)
        if json {
            print(try TranscriptDocument.call(call, choice: choice, offline: offline).json())
            return
        }
        printSafe("source: \(choice.source.rawValue)  reason: \(choice.reason)")
        if choice.source == .offline, let o = offline {
            printSafe("engine: \(o.transcript.engine)  model: \(o.transcript.model) (\(o.transcript.modelSHA256.prefix(12))…)  audio sha256: \(o.transcript.audioSHA256.prefix(12))…  \(String(format: "%.1f", o.transcript.processingSeconds)) s for \(String(format: "%.0f", o.transcript.audioSeconds)) s")
        } else if let engine = choice.engine {
            printSafe("from: \(engine)")
        }
        print("")
        print(choice.text.isEmpty ? "(no transcript)" : SafeText.escapedLines(choice.text))
    }
}
