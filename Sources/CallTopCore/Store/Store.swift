import Foundation
import GRDB

/// The local SQLite store (WAL, so the dashboard and a CLI command can use it
/// at once). All SQL lives in this folder; callers see plain values.
public final class Store: Sendable {
    public let dataDir: URL
    package let db: DatabasePool
    /// Whose claims this store's writes make, and how long they last.
    public let owner: LeaseOwner
    public let lease: LeaseTerms

    public var recordingsDir: URL { dataDir.appendingPathComponent("recordings", isDirectory: true) }

    public init(dataDir: URL, owner: LeaseOwner = .thisProcess, lease: LeaseTerms = LeaseTerms()) throws {
        self.dataDir = dataDir
        self.owner = owner
        self.lease = lease
        try PrivateFiles.prepareStore(in: dataDir)
        var config = Configuration()
        config.busyMode = .timeout(15)
        config.label = "calltop"
        // WAL + NORMAL: a commit survives a crash of calltop; only a power cut can
        // drop the last few, and the store stays consistent (files are fsynced on
        // their own before they are recorded). FULL costs an fsync per state change.
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        db = try Self.openPool(path: dataDir.appendingPathComponent("calltop.sqlite").path, configuration: config)
        try StoreSchema.migrate(db)
    }

    /// Opens the pool, trying again while another process switches a new file to WAL.
    /// That switch needs the file to itself, and SQLite answers SQLITE_BUSY at once
    /// rather than call the busy handler when waiting could deadlock, so the busy
    /// timeout does not cover it: several processes starting on a new data dir failed
    /// 7 times in 20. Once one has switched, the file stays WAL and the rest open.
    private static func openPool(path: String, configuration: Configuration) throws -> DatabasePool {
        let deadline = Date().addingTimeInterval(15)
        while true {
            do {
                return try DatabasePool(path: path, configuration: configuration)
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY && Date() < deadline {
                Thread.sleep(forTimeInterval: Double.random(in: 0.02...0.1))
            }
        }
    }

    /// Changes whenever anyone commits to the store (the WAL file grows or is
    /// checkpointed): a stat, so watching for other processes' writes is free.
    public func changeStamp() -> String {
        let base = dataDir.appendingPathComponent("calltop.sqlite").path
        return [base, base + "-wal"].map { path -> String in
            var st = stat()
            guard stat(path, &st) == 0 else { return "-" }
            return "\(st.st_size):\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)"
        }.joined(separator: "/")
    }

    /// The same file, with another owner's claims and lease terms (a worker's).
    public func handle(owner: LeaseOwner, lease: LeaseTerms) throws -> Store {
        try Store(dataDir: dataDir, owner: owner, lease: lease)
    }

    /// Stores one attempt and the decision it led to, in one transaction, and
    /// lets go of the claim. Returns false, writing nothing, when the claim was
    /// taken over meanwhile (the lease ran out): the newer holder's result stands.
    @discardableResult
    public func recordAttempt(_ attempt: DownloadAttempt, decision: DownloadDecision, memory: RetryMemory,
                              file: SavedFile?, expectedBytes: Int64?, now: Date) throws -> Bool {
        try db.write { [owner, copyHolder] db in
            try StoreTransactions.recordAttempt(db, owner: owner, holder: copyHolder, attempt, decision: decision, memory: memory, file: file,
                                                expectedBytes: expectedBytes, now: now)
        }
    }

    /// The same from async code: the write waits on GRDB's queue, not on a cooperative thread
    /// (2 of them on 2 cores: a blocking write there stalls every other download).
    @discardableResult
    public func recordAttempt(_ attempt: DownloadAttempt, decision: DownloadDecision, memory: RetryMemory,
                              file: SavedFile?, expectedBytes: Int64?, now: Date) async throws -> Bool {
        try await db.write { [owner, copyHolder] db in
            try StoreTransactions.recordAttempt(db, owner: owner, holder: copyHolder, attempt, decision: decision, memory: memory, file: file,
                                                expectedBytes: expectedBytes, now: now)
        }
    }

    // MARK: SQLEngine

    public func reading<T>(consistent: Bool, _ body: (any SQLExecutor) throws -> T) throws -> T {
        try db.read { db in try body(db) }
    }

    @discardableResult
    public func writing<T>(quiet: Bool, _ body: (any SQLExecutor) throws -> T) throws -> T {
        try db.write { db in try body(db) }
    }

    public var skipLocked: String { "" }
    /// One machine's file: every file it recorded is here.
    public var isShared: Bool { false }
}

extension Store: SQLEngine {}

/// A file the downloader saved under its final name.
public struct SavedFile: Sendable, Equatable {
    /// Relative to the data directory: `recordings/CA….mp3`.
    public var relativePath: String
    public var bytes: Int64
    public var sha256: String

    public init(relativePath: String, bytes: Int64, sha256: String) {
        self.relativePath = relativePath; self.bytes = bytes; self.sha256 = sha256
    }
}

/// A recording as the store holds it.
public struct StoredRecording: Sendable, Equatable {
    public var sid: String
    public var callSid: String?
    public var status: String
    public var durationS: Int?
    public var channels: Int?
    public var source: String?
    public var errorCode: Int?
    public var startTime: Date?
    public var dateCreated: Date?
    public var uri: String?
    public var downloadState: DownloadState
    public var bytes: Int64?
    public var expectedBytes: Int64?
    public var path: String?
    public var sha256: String?
    public var attempts: Int
    public var memory: RetryMemory
    public var lastError: String?
    public var nextRetryAt: Date?
    /// The file's name under the data dir, assigned at the first download and kept.
    public var fileName: String?
    public var leaseOwner: String?
    /// When Twilio last told us this recording's metadata (sync, a callback, a fetch).
    public var metadataAt: Date?

    init(_ r: RecordingRecord) {
        sid = r.sid; callSid = r.callSid; status = r.status; durationS = r.durationS
        channels = r.channels; source = r.source; errorCode = r.errorCode
        startTime = r.startTime; dateCreated = r.dateCreated; uri = r.uri
        downloadState = r.downloadState
        bytes = r.bytes; expectedBytes = r.expectedBytes; path = r.path; sha256 = r.sha256
        attempts = r.attempts
        let completed = r.startTime.map { $0.addingTimeInterval(TimeInterval(max(0, r.durationS ?? 0))) }
        memory = RetryMemory(transientFailures: r.transientFailures, notReadyTries: r.notReadyTries,
                             notReadySince: r.notReadySince, completedAt: completed)
        lastError = r.lastError; nextRetryAt = r.nextRetryAt
        fileName = r.fileName; leaseOwner = r.leaseOwner; metadataAt = r.metadataAt
    }
}
