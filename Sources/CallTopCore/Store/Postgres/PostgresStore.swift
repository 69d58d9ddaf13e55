import Foundation
import Logging

/// Team mode's store: one PostgreSQL database shared by every dashboard,
/// `serve` replica and `calltop worker` (`CALLTOP_DATABASE_URL`). Each
/// operation is one of `StoreTransactions`, the same as the SQLite engine
/// runs, inside a PostgreSQL transaction; claims are compare-and-set updates
/// under leases with fencing, as on SQLite.
///
/// Files stay per process: `dataDir` holds this machine's recordings cache
/// and log, the database holds each recording's size and SHA-256.
public final class PostgresStore: Sendable {
    public let dataDir: URL
    public let owner: LeaseOwner
    public let lease: LeaseTerms
    package let pool: PostgresConnectionPool
    let changes: PostgresChangeListener

    public var recordingsDir: URL { dataDir.appendingPathComponent("recordings", isDirectory: true) }
    public var url: DatabaseURL { pool.url }

    /// Connects, and creates or migrates the schema if this is the first process to start.
    public convenience init(url: DatabaseURL, dataDir: URL, owner: LeaseOwner = .thisProcess, lease: LeaseTerms = LeaseTerms(),
                            pollOnly: Bool = false, maxConnections: Int = 8) throws {
        let pool = try PostgresConnectionPool(url: url, maxConnections: maxConnections)
        try PostgresSchema.migrate(pool)
        self.init(pool: pool, changes: PostgresChangeListener(pool: pool, pollOnly: pollOnly), dataDir: dataDir, owner: owner, lease: lease)
    }

    init(pool: PostgresConnectionPool, changes: PostgresChangeListener, dataDir: URL, owner: LeaseOwner, lease: LeaseTerms) {
        self.pool = pool
        self.changes = changes
        self.dataDir = dataDir
        self.owner = owner
        self.lease = lease
    }

    /// The same database and connections, with another owner's claims and lease terms (a worker's).
    public func handle(owner: LeaseOwner, lease: LeaseTerms) -> PostgresStore {
        PostgresStore(pool: pool, changes: changes, dataDir: dataDir, owner: owner, lease: lease)
    }

    /// `CALLTOP_DATABASE_POLL_ONLY=1`: no LISTEN (PgBouncer in transaction pooling).
    public static func pollOnly(_ env: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        ["1", "true", "yes"].contains(env["CALLTOP_DATABASE_POLL_ONLY"]?.lowercased() ?? "")
    }

    public func changeStamp() -> String { changes.stamp() }

    public func close() {
        changes.stop()
        pool.close()
    }

    /// What `doctor` prints: server version, schema version and a round trip.
    public func describeServer() throws -> (server: String, schema: String?, roundTrip: Duration) {
        let clock = ContinuousClock()
        let start = clock.now
        try pool.session { s in _ = try s.execute("SELECT 1") }
        let roundTrip = clock.now - start
        let server = try pool.session { s in try s.scalar("SHOW server_version").string ?? "?" }
        return (server, try PostgresSchema.version(pool), roundTrip)
    }

    // MARK: SQLEngine

    public func reading<T>(consistent: Bool, _ body: (any SQLExecutor) throws -> T) throws -> T {
        consistent ? try pool.read(body) : try pool.session(body)
    }

    @discardableResult
    public func writing<T>(quiet: Bool, _ body: (any SQLExecutor) throws -> T) throws -> T {
        try pool.write(notify: !quiet, body)
    }

    public var skipLocked: String { " FOR UPDATE SKIP LOCKED" }
    public var isShared: Bool { true }
}

extension PostgresStore: SQLEngine {}
