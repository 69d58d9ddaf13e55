import CallTopCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// `calltop serve`: the HTTP endpoints (Hummingbird 2) and the background
/// loop that settles transcripts and drains the outbox.
public final class WebhookServer: Sendable {
    let receiver: WebhookReceiver
    let settler: TranscriptSettler?
    let outbox: OutboxSender?
    let host: String
    let requestedPort: Int
    let limits: ConnectionLimits
    let logger: Logger
    /// Called on the router before the webhook routes: middleware and extra routes (serve's `/readyz`, `/metrics`).
    let prepareRouter: @Sendable (Router<BasicRequestContext>) -> Void
    private let wakeups: WakeSignal
    private let running = Mutex<(server: RunningHTTPServer, loop: Task<Void, Never>?)?>(nil)

    public static let signatureHeader = HTTPField.Name("X-Twilio-Signature")!

    public init(receiver: WebhookReceiver, settler: TranscriptSettler?, outbox: OutboxSender?,
                host: String = "127.0.0.1", port: Int = 0, limits: ConnectionLimits = ConnectionLimits(), logger: Logger,
                wakeups: WakeSignal = WakeSignal(),
                prepareRouter: @escaping @Sendable (Router<BasicRequestContext>) -> Void = { _ in }) {
        self.wakeups = wakeups
        self.limits = limits
        self.receiver = receiver
        self.settler = settler
        self.outbox = outbox
        self.host = host
        self.requestedPort = port
        self.logger = logger
        self.prepareRouter = prepareRouter
    }

    /// The router alone: tests can drive it without a socket.
    public static func router(_ receiver: WebhookReceiver,
                              prepare: (Router<BasicRequestContext>) -> Void = { _ in }) -> Router<BasicRequestContext> {
        let router = Router()
        prepare(router)
        let limit = receiver.configuration.maxBodyBytes
        router.get("/healthz") { _, _ in Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ok\n"))) }
        router.post("/twilio/recording-status") { request, _ in
            let body = try await request.body.collect(upTo: limit)
            return reply(receiver.recordingStatus(target: request.uri.string, signature: request.headers[signatureHeader],
                                                  contentType: request.headers[.contentType], body: Array(buffer: body)))
        }
        router.post("/twilio/transcription") { request, _ in
            let body = try await request.body.collect(upTo: limit)
            return reply(receiver.transcription(target: request.uri.string, signature: request.headers[signatureHeader],
                                                contentType: request.headers[.contentType], body: Array(buffer: body)))
        }
        router.post("/v1/calls/:callSid/realtime-transcript") { request, context in
            let body = try await request.body.collect(upTo: limit)
            return reply(receiver.agentTranscript(callSid: context.parameters.get("callSid") ?? "",
                                                  authorization: request.headers[.authorization], body: Array(buffer: body)))
        }
        return router
    }

    static func reply(_ r: WebhookReceiver.Reply) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: .init(code: r.status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: r.body)))
    }

    /// Binds and starts serving; returns the port. `runLoop: false` leaves the
    /// settle/deliver loop to the caller (tests with a fake clock call the ticks).
    @discardableResult
    public func start(runLoop: Bool = true) async throws -> Int {
        var quiet = logger
        quiet.logLevel = .warning
        let server: RunningHTTPServer
        do {
            server = try await RunningHTTPServer.start(router: Self.router(receiver, prepare: prepareRouter), host: host, port: requestedPort,
                                                       serverName: "calltop", limits: limits, logger: quiet)
        } catch is RunningHTTPServer.CouldNotListen {
            throw WebhookServerError.couldNotListen(host: host, port: requestedPort)
        }
        let loop: Task<Void, Never>? = runLoop ? Task { await self.runLoop() } : nil
        running.withLock { $0 = (server, loop) }
        return server.port
    }

    /// Stops the loop, lets answers in flight finish, closes the listener.
    public func stop() async {
        guard let r = running.withLock({ state in defer { state = nil }; return state }) else { return }
        r.loop?.cancel()
        await r.server.stop()
        _ = await r.loop?.value
        receiver.logRefusals(force: true)
    }

    /// Runs until the task is cancelled (the command's main).
    public func waitUntilStopped() async throws {
        guard let server = running.withLock({ $0?.server }) else { return }
        try await withTaskCancellationHandler {
            try await server.wait()
        } onCancel: {
            // The handler cannot wait; `server.wait()` above returns once this stop has ended the server.
            Task { await self.stop() }
        }
    }

    /// Something changed (a callback, a transcript): look at settlements and the outbox now.
    public func wake() { wakeups.wake() }

    private func runLoop() async {
        while !Task.isCancelled {
            // Taken before the work, so a change that arrives while it runs wakes the next wait at once.
            let seen = wakeups.current
            CallTopMetrics.beat()
            do { try settler?.tick() } catch { logger.error("[WEBHOOK] Settling transcripts failed: \(error)") }
            _ = await outbox?.tick()
            receiver.logRefusals()
            let now = Date()
            let next = [settler?.nextCheck(), outbox?.nextAttempt()].compactMap { $0 }.min() ?? now.addingTimeInterval(1)
            // At most a second: the metrics heartbeat and the refusal log run on this loop too.
            await wakeups.wait(since: seen, until: min(max(next, now.addingTimeInterval(0.02)), now.addingTimeInterval(1)))
        }
    }
}

public enum WebhookServerError: Error, CustomStringConvertible {
    case couldNotListen(host: String, port: Int)
    public var description: String {
        switch self {
        case let .couldNotListen(host, port): "could not listen on \(host):\(port) (in use, or not an address of this machine)"
        }
    }
}
