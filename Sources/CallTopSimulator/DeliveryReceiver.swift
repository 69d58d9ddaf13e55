import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// The downstream system `calltop serve` delivers transcripts to, for the
/// demo: a small server on 127.0.0.1 that checks each delivery's signature
/// and acknowledges it, so the outbox has somewhere real to deliver to.
/// The check itself is handed in: the signer's own verifier, so the two cannot drift.
public final class DeliveryReceiver: Sendable {
    public struct Delivery: Sendable, Equatable {
        /// `X-CallTop-Delivery`: `<CallSid>.v<version>`.
        public var id: String
        public var callSid: String
        public var source: String
        public var supersedes: Bool
    }

    /// Whether a delivery is genuine: the `X-CallTop-Signature` header, the body, and `X-CallTop-Timestamp`.
    public typealias Verifier = @Sendable (_ signature: String?, _ body: String, _ timestamp: Int) -> Bool

    public struct CouldNotListen: Error, CustomStringConvertible {
        public var description: String { "the demo's delivery receiver could not listen on 127.0.0.1" }
    }

    static let path = "/calltop-deliveries"
    private let verify: Verifier
    private let received = Mutex<[Delivery]>([])
    private let running = Mutex<TwilioSimulator.Listener?>(nil)
    /// Called for each valid delivery as it is acknowledged, with every one received so far.
    private let onDelivery: @Sendable (Delivery, [Delivery]) -> Void

    public init(verify: @escaping Verifier, onDelivery: @escaping @Sendable (Delivery, [Delivery]) -> Void = { _, _ in }) {
        self.verify = verify
        self.onDelivery = onDelivery
    }

    public var port: Int { running.withLock { $0?.port ?? 0 } }
    public var url: String { "http://127.0.0.1:\(port)\(Self.path)" }
    public var deliveries: [Delivery] { received.withLock { $0 } }

    public func start() async throws {
        var logger = Logger(label: "calltop.demo-receiver")
        logger.logLevel = .warning
        let listener: TwilioSimulator.Listener
        do {
            listener = try await TwilioSimulator.listen(port: 0, logger: logger) { request in await self.respond(to: request) }
        } catch {
            throw CouldNotListen()
        }
        running.withLock { $0 = listener }
    }

    public func stop() async {
        guard let listener = running.withLock({ state in defer { state = nil }; return state }) else { return }
        await listener.group.triggerGracefulShutdown()
        _ = await listener.task.result
    }

    private func respond(to request: Request) async -> Response {
        switch (request.method, request.uri.path) {
        case (.get, "/healthz"): return Response(status: .ok)
        case (.post, Self.path): break
        default: return Response(status: .notFound)
        }
        guard let buffer = try? await request.body.collect(upTo: 1 << 20) else { return Response(status: .contentTooLarge) }
        let body = String(buffer: buffer)
        let header = { (name: String) in request.headers[HTTPField.Name(name)!] }
        guard verify(header("X-CallTop-Signature"), body, Int(header("X-CallTop-Timestamp") ?? "") ?? 0) else {
            return Response(status: .forbidden)
        }
        let delivery = Self.delivery(id: header("X-CallTop-Delivery") ?? "", body: body)
        let all = received.withLock { $0.append(delivery); return $0 }
        onDelivery(delivery, all)
        return Response(status: .ok)
    }

    /// The fields the demo shows; a body it cannot read still counts, under its delivery id.
    static func delivery(id: String, body: String) -> Delivery {
        struct Document: Decodable {
            var call_sid: String?
            var source: String?
            var supersedes: Int?
        }
        let document = try? JSONDecoder().decode(Document.self, from: Data(body.utf8))
        return Delivery(id: id, callSid: document?.call_sid ?? String(id.prefix { $0 != "." }),
                        source: document?.source ?? "?", supersedes: document?.supersedes != nil)
    }
}
