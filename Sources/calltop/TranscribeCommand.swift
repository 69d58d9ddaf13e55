import ArgumentParser
import CallTopCore
import Foundation

struct TranscribeCommand: CallTopCommand {
    static let configuration = CommandConfiguration(
        commandName: "transcribe",
        abstract: "Offline transcription (Whisper, on this machine) of calls' recordings, or of any local file.",
        discussion: """
            Downloads a call's recording first when needed. The transcript is stored with its provenance
            (audio SHA-256, model and model hash, settings, timings); a new one replaces the old only when
            it succeeds. `--file` transcribes any MP3/WAV and leaves the store untouched.
            The speech engine is installed by `make setup` (see `calltop doctor`).
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("Calls to transcribe (CA…).", valueName: "call"))
    var calls: [String] = []

    @Flag(help: "Transcribe every call with a recording and no offline transcript yet.")
    var pending = false

    @Option(help: ArgumentHelp("Transcribe this audio file only; the store is not touched.", valueName: "path"))
    var file: String?

    @Option(help: "Whisper model: base (more accurate) or tiny.en (faster).")
    var model = SpeechEnvironment.defaultModel

    @Option(help: "Channels of --file: 2 transcribes a stereo call per channel.")
    var channels = 1

    @Flag(help: "Print JSON (with --file).")
    var json = false

    func validate() throws {
        guard SpeechEnvironment.modelDirectories[model] != nil else {
            throw ValidationError("--model must be one of \(SpeechEnvironment.modelDirectories.keys.sorted().joined(separator: ", "))")
        }
        if file != nil && (!calls.isEmpty || pending) { throw ValidationError("--file transcribes one file; don't name calls with it") }
        if file == nil && calls.isEmpty && !pending { throw ValidationError("name calls (CA…), or use --pending or --file PATH") }
        for call in calls { try requireCallSID(call) }
    }

    func execute() async throws {
        let workspace = try global.workspace()
        let service = workspace.transcriptionService(model: model)
        try await withSpeechWorker(service.worker) {
            if let file {
                try await transcribeFile(file, service: service)
                return
            }
            let targets = pending ? try service.pendingCallSids() : calls
            guard !targets.isEmpty else { print("nothing to transcribe"); return }
            var failed = 0
            for (i, call) in targets.enumerated() {
                progressLine("[\(i + 1)/\(targets.count)] \(call) …")
                do {
                    let t = try await service.transcribe(callSid: call) { fraction in
                        progressLine("[\(i + 1)/\(targets.count)] \(call) \(Int(fraction * 100))%")
                    }
                    endProgressLine()
                    print("\(call) \(t.isEmpty ? "no speech" : "\(t.text.count) chars") (\(t.model), \(String(format: "%.1f", t.processingSeconds)) s for \(String(format: "%.0f", t.audioSeconds)) s of audio)")
                } catch {
                    endProgressLine()
                    failed += 1
                    printSafe("\(call) failed: \(error)")
                }
            }
            if failed > 0 { throw CommandFailure("\(failed) of \(targets.count) transcription(s) failed") }
        }
    }

    private func transcribeFile(_ path: String, service: TranscriptionService) async throws {
        let url = URL(fileURLWithPath: path)
        guard FileManager.default.isReadableFile(atPath: url.path) else { throw CommandFailure("cannot read \(path)") }
        let t = try await service.worker.transcribe(TranscriptionRequest(audio: url, model: model, channels: channels)) { p in
            progressLine("transcribing \(url.lastPathComponent) \(Int(p.fraction * 100))%")
        }
        endProgressLine()
        await service.worker.shutdown()
        if json {
            print(try TranscriptDocument.file(t, path: url.path).json())
        } else {
            print(SafeText.escapedLines(t.text))
        }
    }
}
