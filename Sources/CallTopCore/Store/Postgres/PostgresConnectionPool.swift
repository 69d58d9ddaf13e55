import Dispatch
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import Synchronization

/// Connections to the team's PostgreSQL, lent to one caller at a time and
/// waited on synchronously.
///
/// Why not postgres-nio's `PostgresClient`: the store's boundary is synchronous,
/// as GRDB's is, and it is called from async code on Swift's cooperative pool
/// (two threads on two cores). Bridging each call into `PostgresClient`'s async
/// API blocks a cooperative thread while the query needs another one to make
/// progress: a deadlock once both wait. `PostgresConnection`'s future API runs
/// wholly on NIO's event loops, so a caller waiting on it never waits on the
/// cooperative pool.
package final class PostgresConnectionPool: Sendable {
    package let url: DatabaseURL
    package let maxConnections: Int
    private let configuration: PostgresConnection.Configuration
    private let group: any EventLoopGroup
    private let logger: Logger
    private let idle = Mutex<[PostgresConnection]>([])
    private let slots: DispatchSemaphore
    private let nextID = Atomic<Int>(1)

    package init(url: DatabaseURL, maxConnections: Int = 8, logger: Logger = Logger(label: "calltop.postgres")) throws(PostgresStoreError) {
        self.url = url
        self.maxConnections = max(1, maxConnections)
        self.slots = DispatchSemaphore(value: self.maxConnections)
        self.group = MultiThreadedEventLoopGroup.singleton
        var noisy = logger
        noisy.logLevel = .critical  // postgres-nio's own lines would repeat our errors without their advice
        self.logger = noisy
        do {
            var configuration = PostgresConnection.Configuration(host: url.host, port: url.port, username: url.user,
                                                                 password: url.password, database: url.database, tls: try Self.tls(url))
            configuration.options.connectTimeout = .seconds(5)
            configuration.options.additionalStartupParameters = [("application_name", "calltop")]
            self.configuration = configuration
        } catch {
            throw PostgresStoreError(kind: .other, "sslmode=\(url.sslMode.rawValue): could not set up TLS: \(error)")
        }
    }

    /// libpq's meanings: `require` encrypts without checking the certificate,
    /// `verify-ca` checks it against the CA, `verify-full` also checks the host name.
    static func tls(_ url: DatabaseURL) throws -> PostgresConnection.Configuration.TLS {
        var tls = TLSConfiguration.makeClientConfiguration()
        switch url.sslMode {
        case .disable: return .disable
        case .allow, .prefer, .require: tls.certificateVerification = .none
        case .verifyCA: tls.certificateVerification = .noHostnameVerification
        case .verifyFull: tls.certificateVerification = .fullVerification
        }
        if let root = url.sslRootCert { tls.trustRoots = .file(root) }
        let context = try NIOSSLContext(configuration: tls)
        return url.sslMode == .allow || url.sslMode == .prefer ? .prefer(context) : .require(context)
    }

    /// Runs `body` on a connection of its own; waits while all are lent out.
    /// A connection that broke is dropped; the next caller opens a new one.
    /// PostgreSQL's errors come out as `PostgresStoreError`; the body's own
    /// (a worker name already taken, say) come out as they are.
    package func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        slots.wait()
        defer { slots.signal() }
        let connection = try checkOut()
        defer { checkIn(connection) }
        do {
            return try body(connection)
        } catch let error as PSQLError {
            throw PostgresStoreError.from(error, url: url)
        }
    }

    /// A new connection outside the pool (the change listener keeps one open for good).
    package func connect() throws(PostgresStoreError) -> PostgresConnection {
        do {
            return try PostgresConnection.connect(on: group.next(), configuration: configuration,
                                                  id: nextID.add(1, ordering: .relaxed).oldValue, logger: logger).wait()
        } catch {
            throw PostgresStoreError.from(error, url: url)
        }
    }

    private func checkOut() throws(PostgresStoreError) -> PostgresConnection {
        while let pooled = idle.withLock({ $0.popLast() }) {
            if !pooled.isClosed { return pooled }
        }
        return try connect()
    }

    private func checkIn(_ connection: PostgresConnection) {
        guard !connection.isClosed else { return }
        idle.withLock { $0.append(connection) }
    }

    deinit { close() }

    /// Closes the idle connections (at exit; lent ones close as their callers finish).
    package func close() {
        let all = idle.withLock { list in defer { list.removeAll() }; return list }
        for c in all { try? c.close().wait() }  // closing at exit: a failure changes nothing
    }
}
