import ArgumentParser
import CallTopCore
import Foundation

struct TranscribeCommand: AsyncParsableCommand {
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

    func run() async throws {
        do {
            let workspace = try global.workspace()
            let service = workspace.transcriptionService(model: model)
            defer { Task { await service.worker.shutdown() } }
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
            await service.worker.shutdown()
            if failed > 0 { throw CommandFailure("\(failed) of \(targets.count) transcription(s) failed") }
        } catch {
            throw Self.failing(error)
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
            print(try TranscriptJSON.encode(TranscriptJSON.file(t, path: url.path)))
        } else {
            print(SafeText.escapedLines(t.text))
        }
    }
}

struct TranscriptCommand: AsyncParsableCommand {
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

    func run() async throws {
        do {
            let store = try global.workspace().store
            guard try store.callExists(call) else { throw CommandFailure("\(call) is not in the store: run `calltop sync`") }
            let choice = try store.authoritativeTranscript(call) ?? AuthoritativeTranscript(source: .none, reason: "none available", text: "")
            let offline = try store.offlineTranscript(call)
            if json {
                print(try TranscriptJSON.encode(TranscriptJSON.call(call, choice: choice, offline: offline)))
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
        } catch {
            throw Self.failing(error)
        }
    }
}

struct RealtimeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "realtime",
        abstract: "Realtime transcripts (the fallback when no offline transcript exists).",
        subcommands: [Import.self])

    struct Import: AsyncParsableCommand {
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

        func run() async throws {
            do {
                let data = source == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: source))
                let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                guard !text.isEmpty else { throw CommandFailure("the realtime transcript is empty") }
                let store = try global.workspace().store
                guard try store.callExists(call) else { throw CommandFailure("\(call) is not in the store: run `calltop sync`") }
                try store.saveRealtimeTranscript(text, callSid: call, origin: origin, now: Date())
                print("stored \(text.count) chars of realtime transcript for \(call)")
            } catch {
                throw Self.failing(error)
            }
        }
    }
}

/// JSON for `transcript --json` and `transcribe --file --json`.
enum TranscriptJSON {
    static func encode(_ object: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
    }

    static func provenance(_ t: OfflineTranscript) -> [String: Any] {
        [
            "engine": t.engine, "model": t.model, "model_sha256": t.modelSHA256, "audio_sha256": t.audioSHA256,
            "settings": (try? JSONSerialization.jsonObject(with: Data(t.settingsJSON.utf8))) ?? t.settingsJSON,
            "audio_seconds": t.audioSeconds, "processing_seconds": t.processingSeconds,
            "segments": t.segments.map { ["start": $0.start, "end": $0.end, "text": $0.text, "channel": $0.channel] },
        ]
    }

    static func file(_ t: OfflineTranscript, path: String) -> [String: Any] {
        var o = provenance(t)
        o["file"] = path
        o["text"] = t.text
        o["chars"] = t.text.count
        o["language"] = t.language
        return o
    }

    static func call(_ callSid: String, choice: AuthoritativeTranscript, offline: StoredOfflineTranscript?) -> [String: Any] {
        var o: [String: Any] = ["call_sid": callSid, "source": choice.source.rawValue, "reason": choice.reason,
                                "text": choice.text, "chars": choice.text.count]
        if choice.source == .offline, let offline {
            o.merge(provenance(offline.transcript)) { a, _ in a }
            o["recording_sid"] = offline.recordingSid ?? NSNull()
            o["created_at"] = offline.createdAt.formatted(.iso8601)
        } else {
            o["engine"] = choice.engine ?? NSNull()
        }
        return o
    }
}
