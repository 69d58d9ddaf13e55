import CallTopCore
import CallTopMetrics
import CallTopWebhooks
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Synchronization

/// `calltop serve`'s wiring in one place: store recovery, the settler, the
/// outbox, the transcriber, the download pipeline, the receiver and the HTTP
/// server, and re-queueing recordings a previous run left unsettled.
/// `calltop serve` and `calltop demo --with-webhooks` both run it.
struct WebhookStack: Sendable {
    struct Settings: Sendable {
        var host = "127.0.0.1"
        var port = 8080
        /// The URL Twilio calls, without the `/twilio/…` path: signatures are computed over it.
        var publicURL: String
        /// The auth token Twilio signs callbacks with.
        var authToken: String
        /// Bearer token for the voice agent's endpoint; nil disables it.
        var ingestToken: String?
        /// Where settled transcripts are POSTed; nil turns deliveries (and settling) off.
        var notifyURL: String?
        /// HMAC-SHA256 key of deliveries; required with `notifyURL`.
        var notifySecret: String?
        var window = WaitWindow()
        var suspectThreshold = TranscriptDisagreement.defaultThreshold
        var concurrency = 2
        /// Transcribe downloaded recordings here (false: `serve --no-transcribe`).
        var transcribe = true
        var limits = ConnectionLimits()
        var refusalSummaryInterval: TimeInterval = 60
    }

    let settings: Settings
    let workspace: Workspace
    let receiver: WebhookReceiver
    let server: WebhookServer
    let pipeline: RecordingPipeline
    let transcriber: ServiceTranscriber?
    /// The port the server listens on (the requested one, or the one picked for port 0).
    let port: Int

    /// Builds everything and starts listening. Store changes are announced on
    /// the workspace's event bus, so a dashboard on the same workspace follows them live.
    static func start(_ settings: Settings, workspace: Workspace) async throws -> WebhookStack {
        // Before any work: metrics recorded before the bootstrap would go nowhere.
        _ = MetricsExporter.shared
        let client = try workspace.client()
        let store = workspace.store
        let logger = workspace.logger
        try store.reclaimAbandonedWork(now: Date())

        let settler = settings.notifyURL == nil ? nil : TranscriptSettler(
            store: store, window: settings.window, suspectThreshold: settings.suspectThreshold, logger: logger)
        let outbox = settings.notifyURL.map { OutboxSender(store: store, url: $0, secret: settings.notifySecret ?? "", logger: logger) }
        let transcriber: ServiceTranscriber? = settings.transcribe ? ServiceTranscriber(service: workspace.transcriptionService()) : nil
        let wake = WakeBox()
        let onChange: @Sendable (String) -> Void = { callSid in
            workspace.bus.emit(.callChanged(callSid: callSid))
            wake.server?.wake()
        }
        let pipeline = RecordingPipeline(store: store, runner: try workspace.downloadRunner(), client: client,
                                         transcriber: transcriber, concurrency: settings.concurrency, logger: logger, onChange: onChange)
        let receiver = WebhookReceiver(
            configuration: .init(publicURL: settings.publicURL, authToken: settings.authToken, ingestToken: settings.ingestToken,
                                 refusalSummaryInterval: settings.refusalSummaryInterval),
            store: store, work: pipeline, settler: settler, logger: logger, onChange: onChange)
        let readiness = ReadinessProbe(store: store, apiBaseURL: workspace.host.baseURL)
        let server = WebhookServer(receiver: receiver, settler: settler, outbox: outbox, host: settings.host, port: settings.port,
                                   limits: settings.limits, logger: logger,
                                   prepareRouter: { router in
                                       ObservabilityRoutes.addRequestMetrics(to: router)
                                       ObservabilityRoutes.add(to: router, readiness: readiness, store: store, includeHealthz: false)
                                   })
        wake.server = server
        (settler ?? TranscriptSettler(store: store, suspectThreshold: settings.suspectThreshold, logger: logger)).crossCheckAll()

        let bound = try await server.start()
        for job in try store.unsettledRecordings() { pipeline.recordingCompleted(callSid: job.callSid, recordingSid: job.recordingSid) }
        return WebhookStack(settings: settings, workspace: workspace, receiver: receiver, server: server, pipeline: pipeline,
                            transcriber: transcriber, port: bound)
    }

    /// Queues a completed recording for download then transcription, as a
    /// `completed` callback does; a recording already queued is not queued twice.
    func recordingCompleted(callSid: String, recordingSid: String) {
        pipeline.recordingCompleted(callSid: callSid, recordingSid: recordingSid)
    }

    /// Serves until the task is cancelled or the server stops; then stops the speech worker.
    func runUntilStopped() async throws {
        try await server.waitUntilStopped()
        await transcriber?.shutdown()
    }

    /// SIGTERM: stop listening (answers in flight are finished), take no new
    /// recordings, give the downloads and transcriptions already running up
    /// to `timeout` seconds, then stop the speech worker. Work cut off here is
    /// recovered at the next start (interrupted downloads go back to pending;
    /// unsettled recordings are queued again). Returns whether it all finished in time.
    func drain(timeout: TimeInterval) async -> Bool {
        let finished = Atomic(false)
        let pipeline = self.pipeline
        let server = self.server
        let work = Task {
            await server.stop()
            await pipeline.stopAccepting()
            await pipeline.waitUntilIdle()
            finished.store(true, ordering: .sequentiallyConsistent)
        }
        let deadline = Date().addingTimeInterval(timeout)
        while !finished.load(ordering: .sequentiallyConsistent) && Date() < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        if !finished.load(ordering: .sequentiallyConsistent) { work.cancel() }
        await transcriber?.shutdown()
        return finished.load(ordering: .sequentiallyConsistent)
    }

    /// Stops listening and the settle/deliver loop, then the speech worker.
    func stop() async {
        await server.stop()
        await transcriber?.shutdown()
    }
}

/// Lets callbacks built before the server reach it once it exists.
private final class WakeBox: @unchecked Sendable {
    private let lock = NSLock()
    private var _server: WebhookServer?
    var server: WebhookServer? {
        get { lock.lock(); defer { lock.unlock() }; return _server }
        set { lock.lock(); _server = newValue; lock.unlock() }
    }
}

/// A free TCP port on 127.0.0.1 right now (bound, read, released), so a URL
/// that contains it can be built before the server that will listen on it.
func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw CommandFailure("could not open a socket to find a free port (errno \(errno))") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
            bind(fd, sa, length) == 0 && getsockname(fd, sa, &length) == 0
        }
    }
    guard bound else { throw CommandFailure("could not find a free port on 127.0.0.1 (errno \(errno))") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// The downstream system of `demo --with-webhooks`: a tiny Hummingbird server
/// on 127.0.0.1 that checks each delivery's signature and acknowledges it,
/// so the outbox has somewhere real to deliver to.
final class DemoNotifyReceiver: Sendable {
    struct Delivery: Sendable {
        /// `X-CallTop-Delivery`: `<CallSid>.v<version>`.
        var id: String
        var callSid: String
        var source: String
        var supersedes: Bool
    }

    let secret: String
    private let received = Mutex<[Delivery]>([])
    private let running = Mutex<RunningHTTPServer?>(nil)
    private let boundPort = Mutex(0)
    /// Called for each valid delivery as it is acknowledged, with every one received so far.
    private let onDelivery: @Sendable (Delivery, [Delivery]) -> Void

    init(secret: String, onDelivery: @escaping @Sendable (Delivery, [Delivery]) -> Void = { _, _ in }) {
        self.secret = secret
        self.onDelivery = onDelivery
    }

    var port: Int { boundPort.withLock { $0 } }
    var url: String { "http://127.0.0.1:\(port)/calltop-deliveries" }
    var deliveries: [Delivery] { received.withLock { $0 } }

    func start() async throws {
        let router = Router()
        router.get("/healthz") { _, _ in Response(status: .ok) }
        router.post("/calltop-deliveries") { request, _ -> Response in
            let body = String(buffer: try await request.body.collect(upTo: 1 << 20))
            let timestamp = Int(request.headers[HTTPField.Name(NotifySignature.timestampHeader)!] ?? "") ?? 0
            guard NotifySignature.verify(signature: request.headers[HTTPField.Name(NotifySignature.header)!], body: body,
                                         timestamp: timestamp, secret: self.secret) else {
                return Response(status: .forbidden)
            }
            let object = (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]) ?? [:]
            let id = request.headers[HTTPField.Name(NotifySignature.deliveryHeader)!] ?? ""
            let delivery = Delivery(id: id, callSid: (object["call_sid"] as? String) ?? String(id.prefix { $0 != "." }),
                                    source: (object["source"] as? String) ?? "?",
                                    supersedes: object["supersedes"] is NSNumber)
            let all = self.received.withLock { $0.append(delivery); return $0 }
            self.onDelivery(delivery, all)
            return Response(status: .ok)
        }
        var logger = Logger(label: "calltop.demo-receiver")
        logger.logLevel = .warning
        let server: RunningHTTPServer
        do {
            server = try await RunningHTTPServer.start(router: router, host: "127.0.0.1", port: 0, serverName: "calltop-demo", logger: logger)
        } catch {
            throw CommandFailure("the demo's delivery receiver could not listen on 127.0.0.1")
        }
        boundPort.withLock { $0 = server.port }
        running.withLock { $0 = server }
    }

    func stop() async {
        guard let server = running.withLock({ state in defer { state = nil }; return state }) else { return }
        await server.stop()
    }
}
