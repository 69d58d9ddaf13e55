import Hummingbird
import HummingbirdCore
import NIOCore
import NIOHTTPTypes

/// What one client may hold of the server: `serve` faces the internet (through
/// a proxy or tunnel at best), and a connection that never finishes its
/// request must not stay open for ever.
public struct ConnectionLimits: Sendable, Equatable {
    /// A request must arrive whole (head and body) within this, counted from the
    /// connection or the end of the previous request: a slow body cannot trickle in for ever.
    public var readTimeout: Duration
    /// A kept-alive connection with nothing going on is closed after this
    /// (Hummingbird's idle timeout; it also closes a connection whose head never completes).
    public var idleTimeout: Duration
    /// Connections open at once; past this, new ones wait in the listen backlog.
    public var maxConnections: Int

    public init(readTimeout: Duration = .seconds(30), idleTimeout: Duration = .seconds(30), maxConnections: Int = 256) {
        self.readTimeout = readTimeout
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
    }

    var server: HTTPServerBuilder {
        let read = TimeAmount(readTimeout)
        return .http1(configuration: .init(additionalChannelHandlers: [RequestReadTimeoutHandler(timeout: read)],
                                           idleTimeout: TimeAmount(idleTimeout)))
    }
}

/// Closes a connection whose request has not arrived in full within the read
/// timeout. Armed when the connection opens and at each new request head,
/// disarmed by the request's end: time spent answering is not counted.
final class RequestReadTimeoutHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let timeout: TimeAmount
    private var timer: Scheduled<Void>?

    init(timeout: TimeAmount) { self.timeout = timeout }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) { disarm() }

    func channelActive(context: ChannelHandlerContext) {
        arm(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: arm(context)
        case .body: break
        case .end: disarm()
        }
        context.fireChannelRead(data)
    }

    private func arm(_ context: ChannelHandlerContext) {
        guard timer == nil else { return }
        timer = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: timeout) {
            self.timer = nil
            context.close(promise: nil)
        }
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
