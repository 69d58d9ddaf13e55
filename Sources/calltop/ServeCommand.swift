import ArgumentParser
import CallTopCore
import CallTopWebhooks
import Foundation

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Receive Twilio's recording and transcription callbacks; deliver each call's offline-first transcript.",
        discussion: """
            Endpoints: POST /twilio/recording-status, POST /twilio/transcription (both must carry a valid
            X-Twilio-Signature), POST /v1/calls/{CallSid}/realtime-transcript (JSON {"transcript": "…"},
            Authorization: Bearer $CALLTOP_INGEST_TOKEN), GET /healthz (alive), GET /readyz (store and Twilio host
            reachable; 503 otherwise), GET /metrics (Prometheus text).
            Point Twilio at <public-url>/twilio/recording-status and <public-url>/twilio/transcription.
            Environment: TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (the auth token signs Twilio's callbacks;
            an API key alone cannot check them), CALLTOP_INGEST_TOKEN (optional), CALLTOP_NOTIFY_SECRET
            (required with --notify-url; deliveries carry X-CallTop-Signature: sha256=HMAC-SHA256(secret,
            "<X-CallTop-Timestamp>.<body>")). Prints LISTENING <port> first.
            SIGTERM or SIGINT: stops listening, lets running downloads and transcriptions finish for up to
            --drain-timeout seconds, then exits 0; work cut off is picked up again at the next start.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "Address to listen on (it normally sits behind a reverse proxy or tunnel).")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0 = any free port).")
    var port = 8080

    @Option(name: .customLong("public-url"), help: ArgumentHelp("The URL Twilio calls, without the /twilio/… path, e.g. https://hooks.example.com. Signatures are computed over it.", valueName: "url"))
    var publicURL: String

    @Option(name: .customLong("notify-url"), help: ArgumentHelp("POST each call's settled transcript here (JSON, signed).", valueName: "url"))
    var notifyURL: String?

    @Option(name: .customLong("wait-attempts"), help: "Checks for the offline transcript before falling back to realtime.")
    var waitAttempts = 2

    @Option(name: .customLong("wait-interval"), help: ArgumentHelp("Seconds between those checks, from the recording's completion.", valueName: "seconds"))
    var waitInterval: Double = 5

    @Option(name: .customLong("suspect-threshold"), help: "Word disagreement (0…1) between offline and realtime above which a call is suspect.")
    var suspectThreshold = TranscriptDisagreement.defaultThreshold

    @Option(help: "Recordings downloaded and transcribed at the same time.")
    var concurrency = 2

    @Option(name: .customLong("drain-timeout"), help: ArgumentHelp("On SIGTERM, seconds to let running work finish (keep it below systemd's TimeoutStopSec).", valueName: "seconds"))
    var drainTimeout: Double = 20

    @Flag(name: .customLong("no-transcribe"), help: "Download recordings but do not transcribe them here.")
    var noTranscribe = false

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0…65535") }
        guard Self.isHTTPURL(publicURL, allowQuery: false) else {
            throw ValidationError("--public-url must be an http(s) URL without a query, e.g. https://hooks.example.com")
        }
        if let notifyURL, !Self.isHTTPURL(notifyURL, allowQuery: true) { throw ValidationError("--notify-url must be an http(s) URL") }
        guard waitAttempts >= 1, waitInterval >= 0 else { throw ValidationError("--wait-attempts must be ≥ 1 and --wait-interval ≥ 0") }
        guard (0...1).contains(suspectThreshold) else { throw ValidationError("--suspect-threshold must be between 0 and 1") }
        guard drainTimeout >= 0 else { throw ValidationError("--drain-timeout must be ≥ 0") }
        guard (1...16).contains(concurrency) else { throw ValidationError("--concurrency must be between 1 and 16") }
    }

    static func isHTTPURL(_ text: String, allowQuery: Bool) -> Bool {
        guard let c = URLComponents(string: text), let scheme = c.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = c.host, !host.isEmpty, c.user == nil, c.password == nil else { return false }
        return allowQuery || c.query == nil
    }

    func run() async throws {
        do {
            let env = ProcessInfo.processInfo.environment
            let value = { (key: String) in env[key].flatMap { $0.isEmpty ? nil : $0 } }
            guard let authToken = value("TWILIO_AUTH_TOKEN") else {
                throw CommandFailure(value("TWILIO_API_KEY") != nil
                    ? "serve needs TWILIO_AUTH_TOKEN to validate Twilio's webhook signatures (they are signed with the auth token; an API key cannot check them)"
                    : "serve needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN: the auth token validates Twilio's webhook signatures")
            }
            let notifySecret = value("CALLTOP_NOTIFY_SECRET")
            if notifyURL != nil && notifySecret == nil {
                throw CommandFailure("--notify-url needs CALLTOP_NOTIFY_SECRET (deliveries are signed with HMAC-SHA256)")
            }
            let workspace = try global.workspace()
            let signals = ShutdownSignals()
            let stack = try await WebhookStack.start(WebhookStack.Settings(
                host: host, port: port, publicURL: publicURL, authToken: authToken, ingestToken: value("CALLTOP_INGEST_TOKEN"),
                notifyURL: notifyURL, notifySecret: notifySecret, window: WaitWindow(attempts: waitAttempts, interval: waitInterval),
                suspectThreshold: suspectThreshold, concurrency: concurrency, transcribe: !noTranscribe), workspace: workspace)
            let bound = stack.port
            FileHandle.standardOutput.write(Data("""
                LISTENING \(bound)
                calltop serve on \(host):\(bound); Twilio callbacks at \(stack.receiver.configuration.publicURL)/twilio/recording-status and /twilio/transcription
                agent endpoint: \(value("CALLTOP_INGEST_TOKEN") == nil ? "disabled (set CALLTOP_INGEST_TOKEN)" : "enabled")
                deliveries: \(notifyURL == nil ? "off (no --notify-url)" : "on, waiting up to \(waitAttempts) × \(waitInterval) s for the offline transcript")

                """.utf8))
            workspace.logger.info("[WEBHOOK] serve listening on \(host):\(bound)")
            // Whichever comes first: a signal (drain, exit 0) or the server stopping by itself (an error).
            let (events, continuation) = AsyncStream<Int32?>.makeStream()
            let watcher = Task { continuation.yield(await signals.next()) }
            let serving = Task { () -> (any Error)? in
                defer { continuation.yield(nil) }
                do { try await stack.server.waitUntilStopped(); return nil } catch { return error }
            }
            var first: Int32?? = nil
            for await event in events { first = event; break }
            watcher.cancel()
            if case let signal?? = first {
                let name = ShutdownSignals.name(signal)
                workspace.logger.info("[WEBHOOK] \(name): draining (up to \(drainTimeout) s)")
                FileHandle.standardError.write(Data("calltop serve: \(name), finishing running work (up to \(Int(drainTimeout)) s)\n".utf8))
                let clean = await stack.drain(timeout: drainTimeout)
                workspace.logger.info("[WEBHOOK] serve stopped: \(clean ? "all running work finished" : "drain timeout reached; the rest resumes at the next start")")
                FileHandle.standardError.write(Data("calltop serve: stopped (\(clean ? "drained" : "drain timeout; unfinished work resumes at the next start"))\n".utf8))
                return
            }
            await stack.transcriber?.shutdown()
            if let error = await serving.value { throw error }
        } catch {
            throw Self.failing(error)
        }
    }
}
