import CallTopCore
import Foundation
import Hummingbird
import ServiceLifecycle
import Synchronization

/// Everything `calltop serve` runs, as one swift-service-lifecycle `Service`:
/// start-up recovery, the settler, the outbox, the transcriber, the download
/// pipeline, the receiver and the HTTP server. `serve` and
/// `demo --with-webhooks` run it; in a `ServiceGroup`, graceful shutdown drains it.
public final class WebhookService: Service {
    public let settings: WebhookServiceSettings
    public let workspace: Workspace
    public let receiver: WebhookReceiver
    public let server: WebhookServer
    public let pipeline: RecordingPipeline
    public let transcriber: ServiceTranscriber?
    /// The port the server listens on (the requested one, or the one picked for port 0).
    public let port: Int

    private init(settings: WebhookServiceSettings, workspace: Workspace, receiver: WebhookReceiver, server: WebhookServer,
                 pipeline: RecordingPipeline, transcriber: ServiceTranscriber?, port: Int) {
        self.settings = settings
        self.workspace = workspace
        self.receiver = receiver
        self.server = server
        self.pipeline = pipeline
        self.transcriber = transcriber
        self.port = port
    }

    /// Builds everything, recovers what an earlier run left, and starts
    /// listening. Store changes are announced on the workspace's event bus, so
    /// a dashboard on the same workspace follows them live. `prepareRouter`
    /// adds middleware and routes before the webhook ones (serve's `/readyz`, `/metrics`).
    public static func start(_ settings: WebhookServiceSettings, workspace: Workspace,
                             prepareRouter: @escaping @Sendable (Router<BasicRequestContext>) -> Void = { _ in }) async throws -> WebhookService {
        let client = try workspace.client()
        let store = workspace.webhookStore
        let logger = workspace.logger
        let settler = settings.notifyURL == nil ? nil : TranscriptSettler(
            store: store, window: settings.window, suspectThreshold: settings.suspectThreshold, logger: logger)
        try ServeRecovery.reclaim(store, crossChecker: settler ?? TranscriptSettler(
            store: store, suspectThreshold: settings.suspectThreshold, logger: logger), now: Date())

        let transcriber: ServiceTranscriber? = settings.transcribe ? ServiceTranscriber(service: workspace.transcriptionService()) : nil
        let wakeups = WakeSignal()
        let onChange: @Sendable (String) -> Void = { callSid in
            workspace.bus.emit(.callChanged(callSid: callSid))
            wakeups.wake()
        }
        // Not `onChange`: a delivery recorded is news for the dashboard, not work for the settle/deliver loop.
        let outbox = settings.notifyURL.map { url in
            OutboxSender(store: store, url: url, secret: settings.notifySecret ?? "", logger: logger) { callSid in
                workspace.bus.emit(.callChanged(callSid: callSid))
            }
        }
        let pipeline = RecordingPipeline(store: store, runner: try workspace.downloadRunner(), client: client,
                                         transcriber: transcriber, concurrency: settings.concurrency, logger: logger, onChange: onChange)
        let receiver = WebhookReceiver(
            configuration: .init(publicURL: settings.publicURL, authToken: settings.authToken, ingestToken: settings.ingestToken,
                                 refusalSummaryInterval: settings.refusalSummaryInterval),
            store: store, work: pipeline, settler: settler, logger: logger, onChange: onChange)
        let server = WebhookServer(receiver: receiver, settler: settler, outbox: outbox, host: settings.host, port: settings.port,
                                   limits: settings.limits, logger: logger, wakeups: wakeups, prepareRouter: prepareRouter)
        let bound = try await server.start()
        try ServeRecovery.requeueUnsettled(store, into: pipeline)
        return WebhookService(settings: settings, workspace: workspace, receiver: receiver, server: server, pipeline: pipeline,
                              transcriber: transcriber, port: bound)
    }

    /// Queues a completed recording for download then transcription, as a
    /// `completed` callback does; a recording already queued is not queued twice.
    public func recordingCompleted(callSid: String, recordingSid: String) {
        pipeline.recordingCompleted(callSid: callSid, recordingSid: recordingSid)
    }

    /// The `Service` entry: serves until graceful shutdown (then drains for
    /// `settings.drainTimeout`) or until the server stops by itself.
    public func run() async throws {
        try await withTaskCancellationHandler {
            _ = try await serve(until: {
                do { try await gracefulShutdown() } catch { return nil }
                return "graceful shutdown"
            })
        } onCancel: {
            // The handler cannot wait; the body above returns once this stop has ended the server.
            Task { await self.stop() }
        }
    }

    /// Serves until `shutdown` returns a reason (a signal's name) or the server
    /// stops by itself. After a reason, `draining` hears it, the running work
    /// is drained, and the result says whether all of it finished in time.
    /// A server that stopped by itself stops the speech worker and rethrows its error (nil: it stopped cleanly).
    public func serve(until shutdown: @escaping @Sendable () async -> String?,
                      draining: @Sendable (String) -> Void = { _ in }) async throws -> Bool? {
        let logger = workspace.logger
        let (events, continuation) = AsyncStream<String?>.makeStream()
        let watcher = Task { continuation.yield(await shutdown()) }
        let server = self.server
        let serving = Task { () -> (any Error)? in
            defer { continuation.yield(nil) }
            do { try await server.waitUntilStopped(); return nil } catch { return error }
        }
        var first: String?? = nil
        for await event in events { first = event; break }
        watcher.cancel()
        if case let reason?? = first {
            logger.info("[WEBHOOK] \(reason): draining (up to \(settings.drainTimeout) s)")
            draining(reason)
            let clean = await drain(timeout: settings.drainTimeout)
            logger.info("[WEBHOOK] serve stopped: \(clean ? "all running work finished" : "drain timeout reached; the rest resumes at the next start")")
            return clean
        }
        await transcriber?.shutdown()
        if let error = await serving.value { throw error }
        return nil
    }

    /// Stop listening (answers in flight are finished), take no new
    /// recordings, give the downloads and transcriptions already running up
    /// to `timeout` seconds, then stop the speech worker. Work cut off here is
    /// recovered at the next start (interrupted downloads go back to pending;
    /// unsettled recordings are queued again). Returns whether it all finished in time.
    public func drain(timeout: TimeInterval) async -> Bool {
        let finished = Atomic(false)
        let done = WakeSignal()
        let started = done.current
        let pipeline = self.pipeline
        let server = self.server
        let work = Task {
            await server.stop()
            await pipeline.stopAccepting()
            await pipeline.waitUntilIdle()
            finished.store(true, ordering: .sequentiallyConsistent)
            done.wake()
        }
        await done.wait(since: started, until: Date().addingTimeInterval(timeout))
        if !finished.load(ordering: .sequentiallyConsistent) {
            work.cancel()
            await pipeline.cancelRunning()
        }
        await transcriber?.shutdown()
        return finished.load(ordering: .sequentiallyConsistent)
    }

    /// Stops listening and the settle/deliver loop, then the speech worker.
    public func stop() async {
        await server.stop()
        await transcriber?.shutdown()
    }
}
