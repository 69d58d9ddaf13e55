import ArgumentParser
import CallTopCore
import CallTopMetrics
import CallTopWebhooks
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

struct WorkerCommand: CallTopCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run download and transcription jobs from the store until SIGTERM (headless; one per box or more).",
        usage: "calltop worker [--downloads <n>] [--transcriptions <m>] [--sync-interval <duration>] [--name <name>] [--metrics-port <port>]",
        discussion: """
            Every worker on a store claims jobs through leases: each recording is downloaded once and each call \
            transcribed once, however many workers run. One worker at a time holds the sync lease and syncs \
            every --sync-interval (the store's first sync looks back 7 days, later ones go on from the last); \
            new recordings become download jobs, downloaded ones transcription jobs (unless --transcriptions 0). \
            A worker that dies loses its jobs to the others once its leases expire (--lease-seconds).
            SIGTERM or SIGINT: takes no new jobs, lets running ones finish for up to --drain-timeout seconds, \
            hands the rest back (another worker takes them at once), then exits 0.
            With --metrics-port: GET /healthz (alive), /readyz (store and Twilio host reachable; 503 otherwise) \
            and /metrics (Prometheus text); it prints LISTENING <port> first.
            Environment: TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (or an API key), CALLTOP_HOME, CALLTOP_SPEECH_HOME.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Downloads this worker runs at once.", valueName: "n"))
    var downloads = 4

    @Option(help: ArgumentHelp("Transcriptions this worker runs at once, one speech process each; 0 turns transcription off here.", valueName: "m"))
    var transcriptions = 1

    @Option(name: .customLong("sync-interval"), help: ArgumentHelp("Time between syncs while this worker holds the sync lease: seconds (60) or a duration (60s, 2m); at least 2 s.", valueName: "duration"))
    var syncInterval = "60s"

    @Option(help: ArgumentHelp("This worker's name in the store's workers table and the log (default: <host>-<pid>).", valueName: "name"))
    var name: String?

    @Option(name: .customLong("metrics-port"), help: ArgumentHelp("Serve /healthz, /readyz and /metrics on this port (0 = any free port); off when not given.", valueName: "port"))
    var metricsPort: Int?

    @Option(name: .customLong("metrics-host"), help: ArgumentHelp("Address the metrics port listens on.", valueName: "address"))
    var metricsHost = "127.0.0.1"

    @Option(name: .customLong("drain-timeout"), help: ArgumentHelp("On SIGTERM, seconds running jobs get to finish before they are handed back (keep it below systemd's TimeoutStopSec).", valueName: "seconds"))
    var drainTimeout: Double = 20

    @Option(name: .customLong("lease-seconds"), help: ArgumentHelp("How long a claim lasts without renewal: a dead worker's jobs are taken back after this.", valueName: "seconds"))
    var leaseSeconds: Double = 60

    func validate() throws {
        guard (0...256).contains(downloads) else { throw ValidationError("--downloads must be between 0 and 256") }
        guard (0...16).contains(transcriptions) else { throw ValidationError("--transcriptions must be between 0 and 16") }
        let interval = try parsedSyncInterval()
        guard interval >= 2 else { throw ValidationError("--sync-interval must be at least 2 s, not \(syncInterval)") }
        if let name, !WorkerSettings.isValidName(name) {
            throw ValidationError("--name takes 1…64 letters, digits and . _ @ -")
        }
        if let metricsPort, !(0...65535).contains(metricsPort) { throw ValidationError("--metrics-port must be 0…65535") }
        guard drainTimeout.isFinite, (0...3600).contains(drainTimeout) else { throw ValidationError("--drain-timeout must be 0…3600 seconds") }
        guard leaseSeconds.isFinite, (1...3600).contains(leaseSeconds) else { throw ValidationError("--lease-seconds must be 1…3600 seconds") }
    }

    func parsedSyncInterval() throws -> TimeInterval {
        do { return try WorkerDuration.parse(syncInterval) } catch { throw ValidationError("--sync-interval: \(error)") }
    }

    func execute() async throws {
        // First: a SIGTERM that arrives while the worker starts is kept and drains it, instead of killing it.
        let signals = ShutdownSignals()
        let workspace = try global.workspace()
        let settings = WorkerSettings(name: name ?? WorkerSettings.defaultName(), downloads: downloads, transcriptions: transcriptions,
                                      syncInterval: try parsedSyncInterval(), drainTimeout: drainTimeout, leaseSeconds: leaseSeconds)
        if metricsPort != nil { _ = MetricsExporter.shared }  // before any work: metrics recorded earlier would go nowhere
        let worker = try WorkerService.make(workspace: workspace, settings: settings)
        let metrics = try await startMetrics(workspace: workspace, store: worker.store)
        FileHandle.standardOutput.write(Data("calltop worker \(settings.name): \(downloads) download(s), \(transcriptions) transcription(s), sync every \(syncInterval)\n".utf8))
        var logger = Logger(label: "calltop.worker.lifecycle")
        logger.logLevel = .warning
        var config = ServiceGroupConfiguration(services: [.init(service: worker)], logger: logger)
        config.maximumGracefulShutdownDuration = .seconds(drainTimeout + 10)
        let group = ServiceGroup(configuration: config)
        let stopper = Task { if await signals.next() != nil { await group.triggerGracefulShutdown() } }
        defer { stopper.cancel() }
        try await group.run()
        await metrics?.stop()
        FileHandle.standardError.write(Data("calltop worker: stopped (\(worker.counts.jobsDone) job(s) done)\n".utf8))
    }

    /// The probes and /metrics on their own port, when asked for.
    func startMetrics(workspace: Workspace, store: any CallStore) async throws -> RunningHTTPServer? {
        guard let metricsPort else { return nil }
        let router = ObservabilityRoutes.standaloneRouter(readiness: ReadinessProbe(store: store, apiBaseURL: workspace.host.baseURL), store: store)
        var logger = workspace.logger
        logger.logLevel = .warning
        let server = try await RunningHTTPServer.start(router: router, host: metricsHost, port: metricsPort, serverName: "calltop-worker", logger: logger)
        FileHandle.standardOutput.write(Data("LISTENING \(server.port)\n".utf8))
        return server
    }
}
