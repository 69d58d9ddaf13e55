import CallTopCore
import Foundation

/// The dashboard over a workspace: reads come from the store; sync,
/// downloads and transcriptions run in Core's background services. Downloads
/// keep going on their own (pending ones, and retries when their time comes)
/// unless the dashboard is read-only. In team mode the workers do that work:
/// the dashboard only queues it for them (`pending` rows they pick up).
public final class StoreDashboardServices: DashboardServices {
    public let context: DashboardContext
    let workspace: Workspace
    private let downloads: BackgroundDownloads?
    private let watcher: StoreWatcher
    private let transcription: TranscriptionQueue?

    public init(workspace: Workspace, context: DashboardContext, transcription: TranscriptionService?, concurrency: Int = 4) {
        self.workspace = workspace
        self.context = context
        let store = workspace.store
        let bus = workspace.bus
        self.transcription = context.teamMode ? nil : transcription.map { TranscriptionQueue(service: $0, store: store, bus: bus) }
        // Without a runner (no credentials) nothing downloads; the list still shows the store.
        let runner = context.readonly || context.teamMode ? nil : try? workspace.downloadRunner()
        self.downloads = runner.map { BackgroundDownloads(store: store, runner: $0, concurrency: concurrency) }
        // PostgreSQL's change stamp is a counter fed by LISTEN/NOTIFY, free to read: a worker's change shows within a second.
        self.watcher = StoreWatcher(store: store, interval: context.teamMode ? .milliseconds(200) : .seconds(2)) {
            bus.emit(.callChanged(callSid: ""))
        }
        // Work a killed process left claimed is not coming back: put it back to pending first.
        // Best effort: what is not taken back now is taken back once its lease expires.
        try? store.reclaimAbandonedWork(now: Date())
    }

    deinit {
        downloads?.stop()
        watcher.stop()
    }

    public func loadRows() async throws -> [CallRow] { try workspace.store.callRows() }

    public func loadWorkers() async throws -> [WorkerRecord] { try workspace.store.workers() }

    public func loadFirstPage(limit: Int) async throws -> ListPage? {
        let counts = try workspace.store.callCountsByState()
        guard Self.wantsFirstPage(totalCalls: counts.total, limit: limit) else { return nil }
        return ListPage(rows: try workspace.store.callRows(limit: limit), totalCalls: counts.total, counts: counts.byState)
    }

    /// A small store loads whole as fast as a page: no partial frame then.
    static func wantsFirstPage(totalCalls: Int, limit: Int) -> Bool { totalCalls > limit * 4 }

    public func loadDetail(callSid: String) async throws -> CallDetail? { try workspace.store.callDetail(callSid) }

    public func sync() async throws {
        do {
            _ = try await workspace.syncService().run()
        } catch let failure as SyncService.Failure {
            throw DashboardFailure(failure.description)
        }
        startDownloads()
    }

    public func download(callSids: [String]) async {
        let moved: [String]
        do {
            let sids = try callSids.flatMap { try workspace.store.recordings(ofCall: $0).map(\.sid) }
            moved = try workspace.store.resetForRetry(sids, now: Date())
        } catch {
            workspace.bus.emit(.message("retry not recorded: the store could not be written (\(error))", isError: true))
            return
        }
        workspace.bus.emit(.message(moved.isEmpty ? "nothing to retry for the selection" : retryMessage(moved.count), isError: false))
        for call in callSids { workspace.bus.emit(.callChanged(callSid: call)) }
        startDownloads()
    }

    public func retryAllFailed() async {
        let failed: [String]
        do {
            failed = try workspace.store.recordingSids(inState: [.failed])
            try workspace.store.resetForRetry(failed, now: Date())
        } catch {
            workspace.bus.emit(.message("retry not recorded: the store could not be written (\(error))", isError: true))
            return
        }
        workspace.bus.emit(.message(retryMessage(failed.count, failed: true), isError: false))
        startDownloads()
    }

    /// What `r`, `R` and `d` answer: in team mode a worker, not this process, will download.
    private func retryMessage(_ n: Int, failed: Bool = false) -> String {
        context.teamMode ? "queued \(n) recording(s) for the workers" : "retrying \(n)\(failed ? " failed" : "") recording(s)"
    }

    /// Queues offline transcriptions; the worker runs one job at a time and
    /// progress comes back as events, so the dashboard never waits here. In
    /// team mode the jobs are only marked pending, for the workers to claim.
    public func transcribe(callSids: [String]) async throws {
        if context.teamMode {
            try queueTranscriptionsForWorkers(callSids)
            return
        }
        guard let transcription else {
            throw DashboardFailure(context.transcriptionUnavailableReason ?? "offline transcription is not available")
        }
        transcription.enqueue(callSids)
    }

    private func queueTranscriptionsForWorkers(_ callSids: [String]) throws {
        do {
            for call in callSids { try workspace.store.queueTranscription(call, now: Date()) }
        } catch {
            throw DashboardFailure("transcription not queued: the store could not be written (\(error))")
        }
        workspace.bus.emit(.message("queued transcription of \(callSids.count) call(s) for the workers", isError: false))
        for call in callSids { workspace.bus.emit(.callChanged(callSid: call)) }
    }

    public func events() -> AsyncStream<CoreEvent> { workspace.bus.stream() }

    /// Another process writing to the same store shows up within a couple of seconds, not at the next refresh.
    public func startWatchingStore() { watcher.start() }

    /// One background download loop for the dashboard's life (none when read-only).
    public func startDownloads() { downloads?.start() }
}

public struct DashboardFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
