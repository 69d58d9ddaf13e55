import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// `calltop worker`: a headless process that syncs (while it holds the sync
/// lease), downloads and transcribes jobs from the store until a graceful
/// shutdown, then finishes or hands back what it runs and exits.
///
/// Every job is claimed through the store's leases, so any number of workers
/// (and dashboards, `download`, `serve`) can share one store: each recording
/// is fetched once, each call transcribed once, and a dead worker's jobs are
/// taken back once its leases expire.
public final class WorkerService: Service, Sendable {
    public static let syncLeaseName = "sync"

    public let settings: WorkerSettings
    public let store: any CallStore
    let sync: SyncService
    let downloader: RecordingDownloader
    /// One per transcription slot: each owns a speech worker process.
    let transcribers: [TranscriptionService]
    let logger: Logger
    let clock: any WallClock
    let state: Mutex<RunState>
    /// Rung with every change to `state` a pause or the drain waits for (a job ended, a stop was asked).
    let wakeups = WakeSignal()

    struct RunState {
        var stopping = false
        var wake = false
        var holdsSyncLease = false
        var downloads: Set<String> = []
        /// Calls this worker downloaded since the last look for transcriptions to queue.
        var downloadedCalls: Set<String> = []
        /// When the whole store was last swept for downloaded calls without a transcription job.
        var lastSweep: Date?
        var transcriptions: [String: Int] = [:]  // call SID → transcriber slot
        var counts = WorkerCounts()
        var syncSchedule: SyncSchedule
        init(syncInterval: TimeInterval) { syncSchedule = SyncSchedule(interval: syncInterval) }
        var running: Int { downloads.count + transcriptions.count }
    }

    public init(settings: WorkerSettings, store: any CallStore, sync: SyncService, downloader: RecordingDownloader,
                transcribers: [TranscriptionService], logger: Logger, clock: any WallClock = SystemClock()) {
        self.settings = settings
        self.store = store
        self.sync = sync
        self.downloader = downloader
        self.transcribers = transcribers
        self.logger = logger
        self.clock = clock
        self.state = Mutex(RunState(syncInterval: settings.syncInterval))
    }

    /// What the worker has done so far (heartbeats, its stopped row).
    public var counts: WorkerCounts {
        state.withLock { s in
            var c = s.counts
            c.jobsRunning = s.running
            return c
        }
    }

    public var holdsSyncLease: Bool { state.withLock { $0.holdsSyncLease } }

    /// Asks the worker to stop taking work and drain (what a graceful shutdown does).
    public func requestStop() {
        state.withLock { $0.stopping = true; $0.wake = true }
        wakeups.wake()
    }

    var isStopping: Bool { state.withLock { $0.stopping } }

    func wake() {
        state.withLock { $0.wake = true }
        wakeups.wake()
    }

    public func run() async throws {
        let started = clock.now()
        try store.registerWorker(WorkerRecord(name: settings.name, owner: store.owner, version: CallTopVersion.current, startedAt: started,
                                              downloadSlots: settings.downloads, transcriptionSlots: transcribers.count), now: started)
        noting("take back abandoned work") { try store.reclaimAbandonedWork(now: started) }
        logger.info("[WORKER] \(settings.name) started: \(settings.downloads) download(s), \(transcribers.count) transcription(s), sync every \(settings.syncInterval) s")
        let heartbeat = Task.detached { [self] in await heartbeatLoop() }
        let syncing = Task { [self] in await syncLoop() }
        await withGracefulShutdownHandler {
            await claimLoop()
        } onGracefulShutdown: { [self] in
            requestStop()
        }
        syncing.cancel()
        let handedBack = await drain()
        heartbeat.cancel()
        noting("release the sync lease") { try store.releaseLease(Self.syncLeaseName) }  // else it expires
        for transcriber in transcribers { await transcriber.worker.shutdown() }
        let final = counts
        noting("mark this worker stopped") { try store.markWorkerStopped(name: settings.name, counts: final, now: clock.now()) }
        logger.info("[WORKER] \(settings.name) stopped: \(final.jobsDone) job(s) done, \(final.failures) failure(s), \(handedBack) handed back")
    }

    /// Store work in the loops: a failure is logged and the next round tries
    /// again (a lease not renewed expires, and its job is taken back by another worker).
    @discardableResult
    private func noting<T>(_ what: String, _ body: () throws -> T) -> T? {
        logger.noting("\(what) ([WORKER] \(settings.name))", otherwise: "trying again next round", body)
    }

    // MARK: Loops

    /// Looks for work every poll interval, or sooner when a job ends.
    func claimLoop() async {
        while !isStopping {
            await claimTick()
            await pause(settings.pollInterval)
        }
    }

    /// One round: take back abandoned work, queue transcriptions, fill free slots.
    func claimTick() async {
        let t = clock.now()
        noting("take back abandoned work") { try store.reclaimAbandonedWork(now: t) }
        let (downloading, transcribing) = state.withLock { ($0.downloads, Set($0.transcriptions.keys)) }
        let freeDownloads = settings.downloads - downloading.count
        if freeDownloads > 0 { await claimDownloads(freeDownloads, now: t) }
        let freeTranscriptions = transcribers.count - transcribing.count
        guard freeTranscriptions > 0 else { return }
        queueDownloadedCalls(now: t)
        let queued = noting("read the queued transcriptions") {
            try store.claimableTranscriptions(now: t, limit: transcribers.count * 2 + transcribing.count)
        } ?? []
        for callSid in ClaimPlan.pick(queued, running: transcribing, slots: transcribers.count, free: freeTranscriptions) {
            startTranscription(callSid)
        }
    }

    /// Queues transcriptions for the calls this worker just downloaded; every `sweepInterval` (and at
    /// the first tick) the whole store, for what others downloaded (serve, a dashboard, the CLI). A
    /// sweep reads every recording: run on each job's end, a 2,000-recording backlog meant 2,000 sweeps.
    func queueDownloadedCalls(now t: Date) {
        let (calls, sweep) = state.withLock { s -> ([String], Bool) in
            let sweep = s.lastSweep.map { t.timeIntervalSince($0) >= Self.sweepInterval || t < $0 } ?? true
            if sweep { s.lastSweep = t }
            defer { s.downloadedCalls = [] }
            return (Array(s.downloadedCalls), sweep)
        }
        noting("queue downloaded calls for transcription") {
            try store.enqueueDownloadedForTranscription(now: t, calls: sweep ? nil : calls)
        }
    }

    static let sweepInterval: TimeInterval = 30

    /// Renews this worker's claims and the sync lease and reports its counts,
    /// on a task of its own so busy jobs cannot starve it.
    func heartbeatLoop() async {
        while !Task.isCancelled {
            let t = clock.now()
            let jobs = state.withLock { s in
                s.downloads.map { LeasedJob.download(recordingSid: $0) } + s.transcriptions.keys.map { LeasedJob.transcription(callSid: $0) }
            }
            noting("renew this worker's leases") { try store.renewLeases(jobs, now: t) }
            if holdsSyncLease, noting("renew the sync lease", { try store.holdLease(Self.syncLeaseName, duration: settings.leaseSeconds, now: t) }) != true {
                state.withLock { $0.holdsSyncLease = false }
            }
            noting("write the heartbeat") { try store.workerHeartbeat(name: settings.name, counts: counts, now: t) }
            CallTopMetrics.beat(now: t)
            try? await Task.sleep(for: .seconds(settings.heartbeatInterval))
        }
    }

    /// Syncs whenever it is due and this worker holds (or can take) the sync lease.
    func syncLoop() async {
        while !Task.isCancelled && !isStopping {
            let t = clock.now()
            let schedule = state.withLock { $0.syncSchedule }
            if schedule.isDue(now: t, lastSuccess: sync.lastSync()) {
                let holds = noting("take the sync lease") { try store.holdLease(Self.syncLeaseName, duration: settings.leaseSeconds, now: t) } == true
                state.withLock { $0.holdsSyncLease = holds }
                if holds { await runSync(at: t) }
            }
            await pause(min(settings.pollInterval, settings.syncInterval), consumingWake: false)
        }
    }

    func runSync(at t: Date) async {
        state.withLock { $0.syncSchedule.lastAttempt = t }
        do {
            let report = try await sync.run()
            logger.info("[WORKER] sync: \(report.newRecordings) new recording(s), \(report.newCalls) new call(s)")
            wake()
        } catch {
            logger.warning("[WORKER] sync failed (next try in \(settings.syncInterval) s): \(error)")
        }
    }

    // MARK: Jobs

    /// Claims a batch of due downloads in one statement (disjoint from other
    /// workers' batches) and starts each.
    func claimDownloads(_ count: Int, now: Date) async {
        let claimed: [StoredRecording]
        do { claimed = try await store.claimDueDownloads(limit: count, now: now) } catch {
            logger.warning("[WORKER] \(settings.name): could not claim downloads: \(error); trying again next round")
            return
        }
        for recording in claimed { startDownload(recording) }
    }

    func startDownload(_ recording: StoredRecording) {
        let sid = recording.sid
        state.withLock { _ = $0.downloads.insert(sid) }
        Task { [self] in
            let decision: DownloadDecision? = await downloader.attempt(claimed: recording)
            state.withLock { s in
                s.downloads.remove(sid)
                s.wake = true
                if case .downloaded? = decision, let call = recording.callSid { s.downloadedCalls.insert(call) }
                switch decision {
                case .downloaded?, .absent?: s.counts.jobsDone += 1
                case .failed?: s.counts.failures += 1
                case .retry?, nil: break
                }
            }
            wakeups.wake()
        }
    }

    func startTranscription(_ callSid: String) {
        let slot: Int? = state.withLock { s in
            let used = Set(s.transcriptions.values)
            guard let free = transcribers.indices.first(where: { !used.contains($0) }) else { return nil }
            s.transcriptions[callSid] = free
            return free
        }
        guard let slot else { return }
        Task { [self] in
            var outcome: Bool?
            do {
                try await transcribers[slot].transcribe(callSid: callSid, rule: .queuedOnly)
                outcome = true
            } catch TranscriptionService.Failure.busy {
                outcome = nil  // another worker has it, or our claim was lost: its holder reports it
            } catch {
                outcome = false
            }
            state.withLock { s in
                s.transcriptions[callSid] = nil
                s.wake = true
                if outcome == true { s.counts.jobsDone += 1 } else if outcome == false { s.counts.failures += 1 }
            }
            wakeups.wake()
        }
    }

    /// Lets running jobs finish within the drain timeout, then hands back the
    /// rest. Returns how many jobs were handed back.
    func drain() async -> Int {
        let deadline = clock.now().addingTimeInterval(settings.drainTimeout)
        while true {
            let seen = wakeups.current  // before counting: a job that ends after the count still wakes the wait
            switch DrainDecision.decide(running: state.withLock { $0.running }, now: clock.now(), deadline: deadline) {
            case .stop:
                return 0
            case .wait(let until):
                await wakeups.wait(since: seen, until: until)
            case .handBack(let count):
                let moved = noting("hand back the running jobs") { try store.releaseClaims(now: clock.now()) } ?? 0  // else their leases expire
                logger.info("[WORKER] drain timeout: \(count) job(s) still running, \(moved) claim(s) handed back")
                return count
            }
        }
    }

    /// Sleeps up to `seconds`, waking early when a stop is asked or (`consumingWake`,
    /// the claim loop's) when a job ends.
    func pause(_ seconds: TimeInterval, consumingWake: Bool = true) async {
        let until = clock.now().addingTimeInterval(seconds)
        // Another process's commit (a dashboard's retry, serve's callback) wakes the claim loop too. That
        // has no event here: the store's change stamp is looked at every 0.2 s (on PostgreSQL it is
        // LISTEN/NOTIFY's counter, on SQLite a stat of the WAL).
        var changes = consumingWake ? ChangeDetector(store.changeStamp()) : nil
        while true {
            let seen = wakeups.current  // before the flags: a wake-up after this look ends the wait below
            let woken = state.withLock { s in
                defer { if consumingWake { s.wake = false } }
                return s.stopping || (consumingWake && s.wake)
            }
            let now = clock.now()
            if woken || now >= until { return }
            if changes?.changed(store.changeStamp()) == true { return }
            await wakeups.wait(since: seen, until: changes == nil ? until : min(until, now.addingTimeInterval(0.2)))
        }
    }
}
