import Hummingbird
import HummingbirdCore
import Logging
import ServiceLifecycle

/// A Hummingbird application started on a known address, with the port it
/// actually bound (port 0 picks a free one) and a graceful stop.
public struct RunningHTTPServer: Sendable {
    public let port: Int
    let group: ServiceGroup
    let task: Task<Void, any Error>

    public struct CouldNotListen: Error, CustomStringConvertible {
        public var host: String
        public var port: Int
        public var description: String { "could not listen on \(host):\(port)" }
    }

    /// `limits` bound what a client may hold open (timeouts, connection cap); nil for servers only tests and the demo talk to.
    public static func start(router: Router<BasicRequestContext>, host: String, port: Int, serverName: String,
                             limits: ConnectionLimits? = nil, logger: Logger) async throws -> RunningHTTPServer {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router,
            server: limits?.server ?? .http1(),
            configuration: ApplicationConfiguration(
                address: .hostname(host, port: port), serverName: serverName,
                availableConnectionsDelegate: limits.map { MaximumAvailableConnections($0.maxConnections, logger: logger) }),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        var bound: Int?
        for await p in ports { bound = p; break }
        guard let bound, bound > 0 else {
            try await task.value
            throw CouldNotListen(host: host, port: port)
        }
        return RunningHTTPServer(port: bound, group: group, task: task)
    }

    /// Lets answers in flight finish, then closes the listener.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = await task.result
    }

    /// Returns when the server stops (an error if it failed).
    public func wait() async throws {
        try await task.value
    }
}
