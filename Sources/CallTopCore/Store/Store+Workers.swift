import Foundation
import GRDB

/// A `calltop worker` as the store knows it: who it is, what it is set to
/// run, and how it is doing (for the dashboard's workers pane and alerts).
public struct WorkerRecord: CallTopRecord, Equatable {
    public static let databaseTableName = "workers"
    public var name: String
    /// The lease owner its claims carry (`host:pid:token`).
    public var owner: String
    public var host: String
    public var pid: Int32
    public var version: String
    public var startedAt: Date
    public var heartbeatAt: Date
    public var state: WorkerState
    public var downloadSlots: Int
    public var transcriptionSlots: Int
    public var jobsRunning: Int
    public var jobsDone: Int
    public var failures: Int
    public var stoppedAt: Date?

    public init(name: String, owner: LeaseOwner, version: String, startedAt: Date, downloadSlots: Int, transcriptionSlots: Int) {
        self.name = name
        self.owner = owner.description
        self.host = owner.host
        self.pid = owner.pid
        self.version = version
        self.startedAt = startedAt
        self.heartbeatAt = startedAt
        self.state = .running
        self.downloadSlots = downloadSlots
        self.transcriptionSlots = transcriptionSlots
        self.jobsRunning = 0
        self.jobsDone = 0
        self.failures = 0
    }
}

/// `running` while a worker works, `stopped` after a clean exit.
public enum WorkerState: String, Codable, Sendable, DatabaseValueConvertible {
    case running, stopped
}

/// A row of `leases`: a duty only one process does at a time.
struct NamedLeaseRecord: CallTopRecord {
    static let databaseTableName = "leases"
    var name: String
    var owner: String
    var acquiredAt: Date
    var expiresAt: Date
}

/// What a worker reports at each heartbeat.
public struct WorkerCounts: Sendable, Equatable {
    public var jobsRunning: Int
    public var jobsDone: Int
    public var failures: Int
    public init(jobsRunning: Int = 0, jobsDone: Int = 0, failures: Int = 0) {
        self.jobsRunning = jobsRunning; self.jobsDone = jobsDone; self.failures = failures
    }
}

public enum WorkerRegistrationError: Error, Equatable, CustomStringConvertible {
    case nameTaken(name: String, host: String, pid: Int32)

    public var description: String {
        switch self {
        case let .nameTaken(name, host, pid):
            return "a worker named \(name) is already running (pid \(pid) on \(host)): give this one another --name"
        }
    }
}

/// Workers, the named leases only one process may hold at a time (the sync
/// lease), and handing claims back: what `calltop worker` needs from the store.
extension Store {
    static func workerMigration(_ db: Database) throws {
        try db.execute(sql: """
            -- One row per worker name: the last process that ran under it.
            CREATE TABLE workers (
                name TEXT PRIMARY KEY NOT NULL,
                owner TEXT NOT NULL,
                host TEXT NOT NULL,
                pid INTEGER NOT NULL,
                version TEXT NOT NULL,
                started_at REAL NOT NULL,
                heartbeat_at REAL NOT NULL,
                state TEXT NOT NULL DEFAULT 'running',
                download_slots INTEGER NOT NULL DEFAULT 0,
                transcription_slots INTEGER NOT NULL DEFAULT 0,
                jobs_running INTEGER NOT NULL DEFAULT 0,
                jobs_done INTEGER NOT NULL DEFAULT 0,
                failures INTEGER NOT NULL DEFAULT 0,
                stopped_at REAL
            );

            -- Duties only one process may do at a time (`sync`): a row lease
            -- with its owner and expiry, renewed while held, taken over once expired.
            CREATE TABLE leases (
                name TEXT PRIMARY KEY NOT NULL,
                owner TEXT NOT NULL,
                acquired_at REAL NOT NULL,
                expires_at REAL NOT NULL
            );

            -- Bumped by every claim of a transcription: the result is written only
            -- under the fence it was claimed with, so a lost lease's late write is refused.
            ALTER TABLE transcription_jobs ADD COLUMN fence INTEGER NOT NULL DEFAULT 0;
            """)
    }

    // MARK: Workers

    /// Records a starting worker. A name is free when no row has it, its
    /// last process stopped cleanly, its heartbeat is older than a lease, or
    /// it ran on this host and is gone.
    public func registerWorker(_ worker: WorkerRecord, now: Date) throws {
        try db.write { db in
            if let existing = try WorkerRecord.fetchOne(db, key: worker.name) {
                let fresh = now.timeIntervalSince(existing.heartbeatAt) < lease.duration
                let gone = LeaseOwner(existing.owner)?.isDeadLocalProcess() ?? true
                if existing.state == .running, fresh, !gone, existing.owner != worker.owner {
                    throw WorkerRegistrationError.nameTaken(name: existing.name, host: existing.host, pid: existing.pid)
                }
            }
            try db.execute(sql: """
                INSERT OR REPLACE INTO workers(name, owner, host, pid, version, started_at, heartbeat_at, state,
                    download_slots, transcription_slots, jobs_running, jobs_done, failures, stopped_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, 0, 0, 0, NULL)
                """, arguments: [worker.name, worker.owner, worker.host, worker.pid, worker.version, worker.startedAt.timeIntervalSince1970,
                                 now.timeIntervalSince1970, worker.downloadSlots, worker.transcriptionSlots])
        }
    }

    /// A worker's heartbeat: it is alive, with these counts. Only the process
    /// that registered the name writes it.
    public func workerHeartbeat(name: String, counts: WorkerCounts, now: Date) throws {
        try db.write { db in
            try db.execute(sql: """
                UPDATE workers SET heartbeat_at = ?, jobs_running = ?, jobs_done = ?, failures = ? WHERE name = ? AND owner = ?
                """, arguments: [now.timeIntervalSince1970, counts.jobsRunning, counts.jobsDone, counts.failures, name, owner.description])
        }
    }

    /// A clean exit: the row stays, marked stopped, for the workers pane.
    public func markWorkerStopped(name: String, counts: WorkerCounts, now: Date) throws {
        try db.write { db in
            try db.execute(sql: """
                UPDATE workers SET state = 'stopped', stopped_at = ?, heartbeat_at = ?, jobs_running = 0, jobs_done = ?, failures = ?
                WHERE name = ? AND owner = ?
                """, arguments: [now.timeIntervalSince1970, now.timeIntervalSince1970, counts.jobsDone, counts.failures, name, owner.description])
        }
    }

    public func workers() throws -> [WorkerRecord] {
        try db.read { db in try WorkerRecord.order(Column("name")).fetchAll(db) }
    }

    // MARK: Named leases

    /// Takes or renews the named lease for this store's owner until `now + duration`.
    /// True when this owner holds it now; false while another owner's lease runs.
    public func holdLease(_ name: String, duration: TimeInterval, now: Date) throws -> Bool {
        try db.write { db in
            let t = now.timeIntervalSince1970
            try db.execute(sql: """
                INSERT INTO leases(name, owner, acquired_at, expires_at) VALUES (?, ?, ?, ?)
                ON CONFLICT(name) DO UPDATE SET
                    acquired_at = CASE WHEN leases.owner = excluded.owner THEN leases.acquired_at ELSE excluded.acquired_at END,
                    owner = excluded.owner, expires_at = excluded.expires_at
                WHERE leases.owner = excluded.owner OR leases.expires_at < ?
                """, arguments: [name, owner.description, t, t + duration, t])
            return db.changesCount > 0
        }
    }

    /// Gives the named lease up, if this owner holds it, so another process can take it at once.
    public func releaseLease(_ name: String) throws {
        try db.write { db in
            try db.execute(sql: "DELETE FROM leases WHERE name = ? AND owner = ?", arguments: [name, owner.description])
        }
    }

    /// The named lease's holder and expiry, if anyone ever took it.
    public func leaseHolder(_ name: String) throws -> (owner: String, expiresAt: Date)? {
        try db.read { db in
            try NamedLeaseRecord.fetchOne(db, key: name).map { ($0.owner, $0.expiresAt) }
        }
    }

    // MARK: Handing work back

    /// Puts every download and transcription this owner holds back to pending,
    /// without a lease, so any other worker can claim it at once. Returns how many moved.
    @discardableResult
    public func releaseClaims(now: Date) throws -> Int {
        try db.write { db in
            var moved = 0
            for claim in Self.claimTables {
                try db.execute(sql: """
                    UPDATE \(claim.table) SET \(claim.stateColumn) = 'pending', lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
                    WHERE lease_owner = ? AND \(claim.stateColumn) = ?
                    """, arguments: [now.timeIntervalSince1970, owner.description, claim.running])
                moved += db.changesCount
            }
            return moved
        }
    }
}
