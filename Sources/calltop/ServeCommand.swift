import ArgumentParser
import CallTopCore
import CallTopWebhooks
import Foundation

struct ServeCommand: CallTopCommand {
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
            "<X-CallTop-Timestamp>.<body>")), CALLTOP_NOTIFY_URL (instead of --notify-url: such URLs often carry
            a token, and flags show in `ps`). Every secret is redacted from the log.
            Limits: a request must arrive whole within --read-timeout, an idle connection closes after
            --idle-timeout, at most --max-connections are open at once. Refused (unsigned) requests are
            logged as one summary line per --refusal-summary-interval. Prints LISTENING <port> first.
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

    @Option(name: .customLong("notify-url"), help: ArgumentHelp("POST each call's settled transcript here (JSON, signed; env CALLTOP_NOTIFY_URL, better when it carries a token).", valueName: "url"))
    var notifyURL: String?

    @Option(name: .customLong("read-timeout"), help: ArgumentHelp("Seconds a client has to send a whole request.", valueName: "seconds"))
    var readTimeout: Double = 30

    @Option(name: .customLong("idle-timeout"), help: ArgumentHelp("Seconds an idle connection stays open.", valueName: "seconds"))
    var idleTimeout: Double = 30

    @Option(name: .customLong("max-connections"), help: "Connections open at once; more wait to be accepted.")
    var maxConnections = 256

    @Option(name: .customLong("refusal-summary-interval"), help: ArgumentHelp("Seconds between log lines counting refused requests.", valueName: "seconds"))
    var refusalSummaryInterval: Double = 60

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
        if let notifyURL, let problem = Self.notifyURLProblem(notifyURL, from: "--notify-url") { throw ValidationError(problem) }
        guard readTimeout > 0, idleTimeout > 0, refusalSummaryInterval > 0 else {
            throw ValidationError("--read-timeout, --idle-timeout and --refusal-summary-interval must be more than 0 seconds")
        }
        guard (1...100_000).contains(maxConnections) else { throw ValidationError("--max-connections must be between 1 and 100000") }
        guard (1...100).contains(waitAttempts) else { throw ValidationError("--wait-attempts must be between 1 and 100") }
        guard waitInterval == 0 || (0.01...3600).contains(waitInterval) else {
            throw ValidationError("--wait-interval must be 0 or between 0.01 and 3600 seconds")
        }
        guard (0...1).contains(suspectThreshold) else { throw ValidationError("--suspect-threshold must be between 0 and 1") }
        guard drainTimeout >= 0 else { throw ValidationError("--drain-timeout must be ≥ 0") }
        guard (1...16).contains(concurrency) else { throw ValidationError("--concurrency must be between 1 and 16") }
    }

    /// The notify URL is never echoed: it may carry a token.
    static func notifyURLProblem(_ text: String, from source: String) -> String? {
        if URLRules.hasUserInfo(text) { return "\(source) must not carry user:password@ (put a token in CALLTOP_NOTIFY_SECRET)" }
        if !Self.isHTTPURL(text, allowQuery: true) { return "\(source) must be an http(s) URL" }
        return nil
    }

    static func isHTTPURL(_ text: String, allowQuery: Bool) -> Bool {
        guard let c = URLComponents(string: text), let scheme = c.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = c.host, !host.isEmpty, c.user == nil, c.password == nil else { return false }
        return allowQuery || c.query == nil
    }

    func execute() async throws {
        let value = { (key: String) in ProcessInfo.processInfo.environment[key].flatMap { $0.isEmpty ? nil : $0 } }
        guard let authToken = value("TWILIO_AUTH_TOKEN") else {
            throw CommandFailure(value("TWILIO_API_KEY") != nil
                ? "serve needs TWILIO_AUTH_TOKEN to validate Twilio's webhook signatures (they are signed with the auth token; an API key cannot check them)"
                : "serve needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN: the auth token validates Twilio's webhook signatures")
        }
        let notifySecret = value("CALLTOP_NOTIFY_SECRET")
        let notifyURL = self.notifyURL ?? value("CALLTOP_NOTIFY_URL")
        if self.notifyURL == nil, let notifyURL, let problem = Self.notifyURLProblem(notifyURL, from: "CALLTOP_NOTIFY_URL") {
            throw CommandFailure(problem)
        }
        if notifyURL != nil && notifySecret == nil {
            throw CommandFailure("--notify-url needs CALLTOP_NOTIFY_SECRET (deliveries are signed with HMAC-SHA256)")
        }
        let workspace = try global.workspace()
        let signals = ShutdownSignals()
        let service = try await WebhookService.start(WebhookServiceSettings(
            host: host, port: port, publicURL: publicURL, authToken: authToken, ingestToken: value("CALLTOP_INGEST_TOKEN"),
            notifyURL: notifyURL, notifySecret: notifySecret, window: WaitWindow(attempts: waitAttempts, interval: waitInterval),
            suspectThreshold: suspectThreshold, concurrency: concurrency, transcribe: !noTranscribe,
            limits: ConnectionLimits(readTimeout: .seconds(readTimeout), idleTimeout: .seconds(idleTimeout), maxConnections: maxConnections),
            refusalSummaryInterval: refusalSummaryInterval, drainTimeout: drainTimeout),
            workspace: workspace, prepareRouter: Self.observability(workspace))
        let bound = service.port
        FileHandle.standardOutput.write(Data("""
            LISTENING \(bound)
            calltop serve on \(host):\(bound); Twilio callbacks at \(service.receiver.configuration.publicURL)/twilio/recording-status and /twilio/transcription
            agent endpoint: \(value("CALLTOP_INGEST_TOKEN") == nil ? "disabled (set CALLTOP_INGEST_TOKEN)" : "enabled")
            deliveries: \(notifyURL == nil ? "off (no --notify-url)" : "on, waiting up to \(waitAttempts) × \(waitInterval) s for the offline transcript")

            """.utf8))
        workspace.logger.info("[WEBHOOK] serve listening on \(host):\(bound)")
        // Whichever comes first: a signal (drain, exit 0) or the server stopping by itself (an error).
        let drainSeconds = Int(drainTimeout)
        let drained = try await service.serve(until: { await signals.next().map(ShutdownSignals.name) }) { name in
            FileHandle.standardError.write(Data("calltop serve: \(name), finishing running work (up to \(drainSeconds) s)\n".utf8))
        }
        if let clean = drained {
            FileHandle.standardError.write(Data("calltop serve: stopped (\(clean ? "drained" : "drain timeout; unfinished work resumes at the next start"))\n".utf8))
        }
    }
}
