import Foundation

/// What calltop needs from its store: the boundary both engines implement.
/// `Store` (SQLite, the default) and `PostgresStore` (team mode,
/// `CALLTOP_DATABASE_URL`) run the same `StoreTransactions`;
/// `CallTopWebhooks.WebhookStore` adds serve's tables on top.
///
/// The rules every implementation keeps, and the store tests check:
/// - writes that decide something (claims, attempts, callbacks, deliveries)
///   are one transaction each and compare-and-set, so two processes racing
///   can never both win;
/// - a claim carries `owner` and a lease of `lease.duration`; only an expired
///   lease (or a dead local owner) is taken over, and a result written under a
///   lost lease is discarded;
/// - reads for one screen or command see one moment of the store.
public protocol CallStore: AnyObject, Sendable {
    var dataDir: URL { get }
    var recordingsDir: URL { get }
    var owner: LeaseOwner { get }
    var lease: LeaseTerms { get }
    /// Changes whenever anyone commits (the dashboard's cue to reload).
    func changeStamp() -> String
    /// The same store with another owner's claims and lease terms (a worker's).
    func handle(owner: LeaseOwner, lease: LeaseTerms) throws -> Self

    // Sync
    func syncMark(_ name: String) throws -> Date?
    func setSyncMark(_ name: String, _ date: Date) throws
    func syncCursor(_ name: String) throws -> SyncCursor?
    func setSyncCursor(_ name: String, _ cursor: SyncCursor?, now: Date) throws
    func recordSyncRejects(_ rejects: [RejectedItem], pageURI: String, now: Date) throws
    func syncRejects(limit: Int) throws -> [(sid: String, reason: String)]

    // Calls and the list
    @discardableResult func upsertCalls(_ calls: [TwilioCall], now: Date) throws -> Int
    func callCount() throws -> Int
    func callExists(_ callSid: String) throws -> Bool
    func callRows(state: DownloadState?, limit: Int?, withRecordings: Bool) throws -> [CallRow]
    func callRow(_ callSid: String) throws -> CallRow?
    func callDetail(_ callSid: String) throws -> CallDetail?
    func callCountsByState() throws -> (total: Int, byState: [DownloadState?: Int])
    func stateCounts() throws -> [DownloadState: Int]

    // Recordings and downloads
    @discardableResult func upsertRecordings(_ recordings: [TwilioRecording], now: Date) throws -> Int
    func refreshRecordingMetadata(_ r: TwilioRecording, now: Date) throws
    func recording(_ sid: String) throws -> StoredRecording?
    func recordings(ofCall callSid: String) throws -> [StoredRecording]
    func recordingSids(inState states: [DownloadState]) throws -> [String]
    func dueRecordingSids(now: Date) throws -> [String]
    func downloadedRecordings() throws -> [StoredRecording]
    func nextRetry(among sids: Set<String>?) throws -> Date?
    /// The download state of each of `sids` the store knows, in one read.
    func downloadStates(among sids: Set<String>) throws -> [String: DownloadState]
    @discardableResult func resetForRetry(_ sids: [String], now: Date) throws -> [String]
    func markFileProblem(_ sid: String, reason: String, now: Date) throws
    func claimDownload(_ sid: String, now: Date) async throws -> StoredRecording?
    /// A worker's batch: up to `limit` due recordings claimed at once, disjoint from any other claimer's.
    func claimDueDownloads(limit: Int, now: Date) async throws -> [StoredRecording]
    @discardableResult
    func recordAttempt(_ attempt: DownloadAttempt, decision: DownloadDecision, memory: RetryMemory,
                       file: SavedFile?, expectedBytes: Int64?, now: Date) async throws -> Bool
    func attempts(ofRecording sid: String) throws -> [DownloadAttempt]
    /// Records that this machine (`copyHolder`) now holds a verified copy of the recording's file.
    func recordCopy(_ sid: String, now: Date) throws
    /// The machines holding a verified copy, as `host:data dir`.
    func copyHolders(ofRecording sid: String) throws -> [String]
    /// The recordings whose files `holder` holds.
    func recordingsHeld(by holder: String) throws -> Set<String>
    /// True when other machines share this store (team mode): then files may live elsewhere.
    var isShared: Bool { get }
    func encryptionDetails(of recordingSid: String) throws -> EncryptionDetails?

    // Leases
    /// Renews the leases of these jobs, if this owner still holds them.
    func renewLeases(_ jobs: [LeasedJob], now: Date) throws
    @discardableResult func reclaimAbandonedWork(now: Date) throws -> Int
    func claimTranscription(_ callSid: String, now: Date) throws -> Bool

    // Transcription jobs, fenced: a result or failure is written only while its claim holds
    func claimTranscriptionJob(_ callSid: String, now: Date, rule: TranscriptionClaimRule) throws -> TranscriptionClaim?
    func saveOfflineTranscript(_ t: OfflineTranscript, claim: TranscriptionClaim, recordingSid: String?, now: Date) throws -> Bool
    func failTranscription(_ claim: TranscriptionClaim, error: String, now: Date) throws -> Bool
    /// Queues a transcription for each call whose primary recording is downloaded and that has
    /// neither a job nor an offline transcript: among `calls`, or (nil) the whole store.
    @discardableResult func enqueueDownloadedForTranscription(now: Date, calls: [String]?) throws -> Int
    func claimableTranscriptions(now: Date, limit: Int) throws -> [String]

    // Workers and named leases (one sync at a time)
    func registerWorker(_ worker: WorkerRecord, now: Date) throws
    func workerHeartbeat(name: String, counts: WorkerCounts, now: Date) throws
    func markWorkerStopped(name: String, counts: WorkerCounts, now: Date) throws
    func workers() throws -> [WorkerRecord]
    func holdLease(_ name: String, duration: TimeInterval, now: Date) throws -> Bool
    func releaseLease(_ name: String) throws
    func leaseHolder(_ name: String) throws -> (owner: String, expiresAt: Date)?
    @discardableResult func releaseClaims(now: Date) throws -> Int

    // Transcripts
    func saveOfflineTranscript(_ t: OfflineTranscript, callSid: String, recordingSid: String?, now: Date) throws
    func setTranscriptionJob(_ callSid: String, state: TranscriptionJobState, error: String?, now: Date) throws
    /// Queues a call's transcription for the workers, unless one is running it now. False when it is running.
    @discardableResult func queueTranscription(_ callSid: String, now: Date) throws -> Bool
    /// Gives a claimed transcription back untried (fenced), queued for any worker again.
    @discardableResult func handBackTranscription(_ claim: TranscriptionClaim, now: Date) throws -> Bool
    func offlineTranscript(_ callSid: String) throws -> StoredOfflineTranscript?
    func offlineState(_ callSid: String) throws -> OfflineTranscriptState
    func saveRealtimeTranscript(_ text: String, callSid: String, origin: String, now: Date) throws
    func realtimeTranscript(_ callSid: String) throws -> StoredRealtimeTranscript?
    func authoritativeTranscript(_ callSid: String) throws -> AuthoritativeTranscript?

    // Operations
    func jobSnapshot() throws -> JobSnapshot
    func ping() throws
}

extension CallStore {
    /// This machine as a holder of recording files: its host and data dir.
    public var copyHolder: String { "\(owner.host):\(dataDir.path)" }

    public func syncRejects() throws -> [(sid: String, reason: String)] { try syncRejects(limit: 100) }
    public func callRows(state: DownloadState? = nil, limit: Int? = nil) throws -> [CallRow] {
        try callRows(state: state, limit: limit, withRecordings: false)
    }
    public func refreshRecordingMetadata(_ r: TwilioRecording) throws { try refreshRecordingMetadata(r, now: Date()) }
    public func nextRetry() throws -> Date? { try nextRetry(among: nil) }
    @discardableResult public func enqueueDownloadedForTranscription(now: Date) throws -> Int {
        try enqueueDownloadedForTranscription(now: now, calls: nil)
    }
    public func claimTranscriptionJob(_ callSid: String, now: Date) throws -> TranscriptionClaim? {
        try claimTranscriptionJob(callSid, now: now, rule: .always)
    }
    public func claimTranscriptionJob(_ callSid: String, now: Date, onlyIfQueued: Bool) throws -> TranscriptionClaim? {
        try claimTranscriptionJob(callSid, now: now, rule: onlyIfQueued ? .queuedOnly : .always)
    }
    public func setTranscriptionJob(_ callSid: String, state: TranscriptionJobState, now: Date) throws {
        try setTranscriptionJob(callSid, state: state, error: nil, now: now)
    }

    /// Runs `body` while renewing `job`'s lease every `lease.renewEvery` on a task
    /// of its own, so long work (a 10-minute transcription) keeps its claim.
    public func keepingLeaseAlive<T, E: Error>(on job: LeasedJob, _ body: () async throws(E) -> T) async throws(E) -> T {
        let renewal = Task { [self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(lease.renewEvery))
                if Task.isCancelled { break }
                do { try renewLeases([job], now: Date()) } catch { continue }  // a busy store: the next round renews
            }
        }
        defer { renewal.cancel() }
        return try await body()
    }
}

extension Store: CallStore {}

/// A claimed job whose lease its holder renews while it works.
public enum LeasedJob: Sendable, Equatable {
    case download(recordingSid: String)
    case transcription(callSid: String)
}

/// Which existing transcription job a claim may take (a live claim is never taken).
public enum TranscriptionClaimRule: Sendable, Equatable {
    /// A person asking: redo it, whatever became of it.
    case always
    /// A worker: only a queued job (or one whose holder's lease ran out).
    case queuedOnly
    /// `serve`, one replica of several: transcribe unless someone already did.
    case unlessFinished
}
