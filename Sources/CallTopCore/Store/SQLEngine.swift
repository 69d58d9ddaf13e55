import Foundation

/// An engine's way into its database: `Store` (SQLite) and `PostgresStore`
/// each open transactions; every `CallStore` operation is then implemented
/// once, below, by running one of `StoreTransactions` inside them.
public protocol SQLEngine: CallStore {
    /// Runs reads; `consistent` ones see one moment of the store together.
    func reading<T>(consistent: Bool, _ body: (any SQLExecutor) throws -> T) throws -> T
    /// One transaction, committed whole or not at all. A `quiet` write (a lease
    /// renewal, a heartbeat) does not wake the dashboards watching the store.
    @discardableResult func writing<T>(quiet: Bool, _ body: (any SQLExecutor) throws -> T) throws -> T
    /// What a claiming subquery appends so that concurrent claimers skip each
    /// other's rows (` FOR UPDATE SKIP LOCKED` on PostgreSQL; nothing on SQLite,
    /// where one writer at a time makes every claim atomic already).
    var skipLocked: String { get }
}

extension SQLEngine {
    public func reading<T>(_ body: (any SQLExecutor) throws -> T) throws -> T { try reading(consistent: false, body) }
    @discardableResult
    public func writing<T>(_ body: (any SQLExecutor) throws -> T) throws -> T { try writing(quiet: false, body) }
}

/// The operations, written once for both engines.
extension CallStore where Self: SQLEngine {
    // MARK: Sync

    public func syncMark(_ name: String) throws -> Date? {
        try reading { s in try s.scalar("SELECT value FROM sync_marks WHERE name = ?", [name]).date }
    }

    public func setSyncMark(_ name: String, _ date: Date) throws {
        try writing { s in try s.execute(StoreSQL.setSyncMark, [name, date]) }
    }

    public func syncCursor(_ name: String) throws -> SyncCursor? {
        try reading { s in try StoreTransactions.syncCursor(s, name) }
    }

    public func setSyncCursor(_ name: String, _ cursor: SyncCursor?, now: Date) throws {
        try writing(quiet: true) { s in try StoreTransactions.setSyncCursor(s, name, cursor, now: now) }
    }

    public func recordSyncRejects(_ rejects: [RejectedItem], pageURI: String, now: Date) throws {
        guard !rejects.isEmpty else { return }
        try writing(quiet: true) { s in try StoreTransactions.recordSyncRejects(s, rejects, pageURI: pageURI, now: now) }
    }

    public func syncRejects(limit: Int) throws -> [(sid: String, reason: String)] {
        try reading { s in try StoreTransactions.syncRejects(s, limit: limit) }
    }

    // MARK: Calls and the list

    @discardableResult
    public func upsertCalls(_ calls: [TwilioCall], now: Date) throws -> Int {
        try writing { s in try StoreTransactions.upsertCalls(s, calls, now: now) }
    }

    public func callCount() throws -> Int {
        try reading { s in try s.scalar("SELECT COUNT(*) FROM calls").int ?? 0 }
    }

    public func callExists(_ callSid: String) throws -> Bool {
        try reading { s in try !s.scalar("SELECT 1 FROM calls WHERE sid = ?", [callSid]).isNull }
    }

    public func callRows(state: DownloadState?, limit: Int?, withRecordings: Bool) throws -> [CallRow] {
        try reading(consistent: true) { s in try StoreTransactions.callRows(s, state: state, limit: limit, withRecordings: withRecordings) }
    }

    public func callRow(_ callSid: String) throws -> CallRow? {
        try reading { s in try StoreTransactions.callRow(s, callSid) }
    }

    public func callDetail(_ callSid: String) throws -> CallDetail? {
        try reading(consistent: true) { s in try StoreTransactions.callDetail(s, callSid, dataDir: dataDir) }
    }

    public func callCountsByState() throws -> (total: Int, byState: [DownloadState?: Int]) {
        try reading(consistent: true) { s in try StoreTransactions.callCountsByState(s) }
    }

    public func stateCounts() throws -> [DownloadState: Int] {
        try reading { s in try StoreTransactions.stateCounts(s) }
    }

    // MARK: Recordings and downloads

    @discardableResult
    public func upsertRecordings(_ recordings: [TwilioRecording], now: Date) throws -> Int {
        try writing { s in try StoreTransactions.upsertRecordings(s, recordings, now: now) }
    }

    public func refreshRecordingMetadata(_ r: TwilioRecording, now: Date) throws {
        try writing { s in try StoreTransactions.refreshRecordingMetadata(s, r, now: now) }
    }

    public func recording(_ sid: String) throws -> StoredRecording? {
        try reading { s in try StoreTransactions.recording(s, sid) }
    }

    public func recordings(ofCall callSid: String) throws -> [StoredRecording] {
        try reading { s in try StoreTransactions.recordings(s, ofCall: callSid) }
    }

    public func recordingSids(inState states: [DownloadState]) throws -> [String] {
        try reading { s in try StoreTransactions.recordingSids(s, inState: states) }
    }

    public func dueRecordingSids(now: Date) throws -> [String] {
        try reading { s in try StoreTransactions.dueRecordingSids(s, now: now) }
    }

    public func downloadedRecordings() throws -> [StoredRecording] {
        try reading { s in try StoreTransactions.downloadedRecordings(s) }
    }

    public func downloadStates(among sids: Set<String>) throws -> [String: DownloadState] {
        try reading { s in try StoreTransactions.downloadStates(s, among: sids) }
    }

    public func nextRetry(among sids: Set<String>?) throws -> Date? {
        try reading { s in try StoreTransactions.nextRetry(s, among: sids) }
    }

    @discardableResult
    public func resetForRetry(_ sids: [String], now: Date) throws -> [String] {
        try writing { s in try StoreTransactions.resetForRetry(s, sids, now: now) }
    }

    public func markFileProblem(_ sid: String, reason: String, now: Date) throws {
        try writing { s in try s.execute(StoreSQL.markFileProblem, [reason, now, sid]) }
    }

    /// On PostgreSQL this blocks on NIO's event loop, not on another cooperative
    /// thread (see `PostgresConnectionPool`); SQLite's `Store` waits on GRDB's queue instead.
    public func claimDownload(_ sid: String, now: Date) async throws -> StoredRecording? {
        try writing { s in try StoreTransactions.claimDownload(s, sid, owner: owner, lease: lease, now: now) }
    }

    @discardableResult
    public func recordAttempt(_ attempt: DownloadAttempt, decision: DownloadDecision, memory: RetryMemory,
                              file: SavedFile?, expectedBytes: Int64?, now: Date) async throws -> Bool {
        try writing { s in
            try StoreTransactions.recordAttempt(s, owner: owner, holder: copyHolder, attempt, decision: decision, memory: memory, file: file,
                                                expectedBytes: expectedBytes, now: now)
        }
    }

    public func recordCopy(_ sid: String, now: Date) throws {
        try writing(quiet: true) { s in try s.execute(StoreSQL.recordCopy, [sid, copyHolder, now]) }
    }

    public func copyHolders(ofRecording sid: String) throws -> [String] {
        try reading { s in try StoreTransactions.copyHolders(s, ofRecording: sid) }
    }

    public func recordingsHeld(by holder: String) throws -> Set<String> {
        try reading { s in Set(try s.query("SELECT recording_sid FROM recording_copies WHERE holder = ?", [holder]).compactMap { $0[0].string }) }
    }

    public func attempts(ofRecording sid: String) throws -> [DownloadAttempt] {
        try reading { s in try StoreTransactions.attempts(s, ofRecording: sid) }
    }

    public func encryptionDetails(of recordingSid: String) throws -> EncryptionDetails? {
        try reading { s in try StoreTransactions.encryptionDetails(s, of: recordingSid) }
    }

    // MARK: Leases

    public func renewLeases(_ jobs: [LeasedJob], now: Date) throws {
        guard !jobs.isEmpty else { return }
        try writing(quiet: true) { s in try StoreTransactions.renewLeases(s, owner: owner, lease: lease, jobs: jobs, now: now) }
    }

    @discardableResult
    public func reclaimAbandonedWork(now: Date) throws -> Int {
        try writing { s in try StoreTransactions.reclaimAbandonedWork(s, now: now, trustLocalProcesses: !isShared) }
    }

    public func claimDueDownloads(limit: Int, now: Date) async throws -> [StoredRecording] {
        try writing { s in
            try StoreTransactions.claimDueDownloads(s, limit: limit, skipLocked: skipLocked, owner: owner, lease: lease, now: now)
        }
    }

    public func claimTranscription(_ callSid: String, now: Date) throws -> Bool {
        try claimTranscriptionJob(callSid, now: now, onlyIfQueued: false) != nil
    }

    // MARK: Transcription jobs

    public func claimTranscriptionJob(_ callSid: String, now: Date, rule: TranscriptionClaimRule) throws -> TranscriptionClaim? {
        try writing { s in try StoreTransactions.claimTranscriptionJob(s, callSid, owner: owner, lease: lease, now: now, rule: rule) }
    }

    public func saveOfflineTranscript(_ t: OfflineTranscript, claim: TranscriptionClaim, recordingSid: String?, now: Date) throws -> Bool {
        try writing { s in
            try StoreTransactions.saveOfflineTranscript(s, t, claim: claim, owner: owner, recordingSid: recordingSid, now: now)
        }
    }

    public func failTranscription(_ claim: TranscriptionClaim, error: String, now: Date) throws -> Bool {
        try writing { s in try StoreTransactions.failTranscription(s, claim, owner: owner, error: error, now: now) }
    }

    @discardableResult
    public func enqueueDownloadedForTranscription(now: Date, calls: [String]?) throws -> Int {
        guard calls?.isEmpty != true else { return 0 }
        return try writing { s in try StoreTransactions.enqueueDownloadedForTranscription(s, now: now, calls: calls) }
    }

    public func claimableTranscriptions(now: Date, limit: Int) throws -> [String] {
        try reading { s in try StoreTransactions.claimableTranscriptions(s, now: now, limit: limit) }
    }

    // MARK: Workers and named leases

    public func registerWorker(_ worker: WorkerRecord, now: Date) throws {
        try writing { s in try StoreTransactions.registerWorker(s, worker, lease: lease, trustLocalProcesses: !isShared, now: now) }
    }

    public func workerHeartbeat(name: String, counts: WorkerCounts, now: Date) throws {
        try writing(quiet: true) { s in try StoreTransactions.workerHeartbeat(s, name: name, owner: owner, counts: counts, now: now) }
    }

    public func markWorkerStopped(name: String, counts: WorkerCounts, now: Date) throws {
        try writing { s in try StoreTransactions.markWorkerStopped(s, name: name, owner: owner, counts: counts, now: now) }
    }

    public func workers() throws -> [WorkerRecord] {
        try reading { s in try StoreTransactions.workers(s) }
    }

    public func holdLease(_ name: String, duration: TimeInterval, now: Date) throws -> Bool {
        try writing(quiet: true) { s in try StoreTransactions.holdLease(s, name, owner: owner, duration: duration, now: now) }
    }

    public func releaseLease(_ name: String) throws {
        try writing(quiet: true) { s in try s.execute(StoreSQL.releaseLease, [name, owner.description]) }
    }

    public func leaseHolder(_ name: String) throws -> (owner: String, expiresAt: Date)? {
        try reading { s in try StoreTransactions.leaseHolder(s, name) }
    }

    @discardableResult
    public func releaseClaims(now: Date) throws -> Int {
        try writing { s in try StoreTransactions.releaseClaims(s, owner: owner, now: now) }
    }

    // MARK: Transcripts

    public func saveOfflineTranscript(_ t: OfflineTranscript, callSid: String, recordingSid: String?, now: Date) throws {
        try writing { s in try StoreTransactions.writeOfflineTranscript(s, t, callSid: callSid, recordingSid: recordingSid, now: now) }
    }

    public func setTranscriptionJob(_ callSid: String, state: TranscriptionJobState, error: String?, now: Date) throws {
        try writing { s in try StoreTransactions.setJob(s, callSid: callSid, state: state, error: error, now: now) }
    }

    @discardableResult
    public func queueTranscription(_ callSid: String, now: Date) throws -> Bool {
        try writing { s in try s.execute(StoreSQL.queueTranscription, [callSid, now]) > 0 }
    }

    @discardableResult
    public func handBackTranscription(_ claim: TranscriptionClaim, now: Date) throws -> Bool {
        try writing { s in try StoreTransactions.handBackTranscription(s, claim, owner: owner, now: now) }
    }

    public func offlineTranscript(_ callSid: String) throws -> StoredOfflineTranscript? {
        try reading { s in try StoreTransactions.offlineTranscript(s, callSid) }
    }

    public func offlineState(_ callSid: String) throws -> OfflineTranscriptState {
        try reading(consistent: true) { s in try StoreTransactions.offlineState(s, callSid, transcript: try StoreTransactions.offlineTranscript(s, callSid)) }
    }

    public func saveRealtimeTranscript(_ text: String, callSid: String, origin: String, now: Date) throws {
        try writing { s in try StoreTransactions.saveRealtimeTranscript(s, text, callSid: callSid, origin: origin, now: now) }
    }

    public func realtimeTranscript(_ callSid: String) throws -> StoredRealtimeTranscript? {
        try reading { s in try StoreTransactions.realtimeTranscript(s, callSid) }
    }

    public func authoritativeTranscript(_ callSid: String) throws -> AuthoritativeTranscript? {
        try reading(consistent: true) { s in try StoreTransactions.authoritativeTranscript(s, callSid) }
    }

    // MARK: Operations

    public func jobSnapshot() throws -> JobSnapshot {
        try reading(consistent: true) { s in try StoreTransactions.jobSnapshot(s) }
    }

    public func ping() throws {
        try reading { s in _ = try s.execute("SELECT 1") }
    }
}
