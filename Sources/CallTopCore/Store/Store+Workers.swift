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
}
