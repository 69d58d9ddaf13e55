import CallTopCore
import CallTopTUI
import Foundation
import Synchronization

/// The dashboard's view of the core: reads from the store, and runs sync and
/// downloads in the background. Downloads keep going on their own (pending
/// ones, and retries when their time comes) unless the dashboard is read-only.
final class CoreDashboardServices: DashboardServices {
    let context: DashboardContext
    let workspace: Workspace
    private let runner: DownloadRunner?
    private let loop = Mutex<Task<Void, Never>?>(nil)
    private let watcher = Mutex<Task<Void, Never>?>(nil)
    private let concurrency: Int
    private let transcription: TranscriptionService?

    init(workspace: Workspace, context: DashboardContext, transcription: TranscriptionService?, concurrency: Int = 4) {
        self.workspace = workspace
        self.context = context
        self.transcription = transcription
        self.runner = try? workspace.downloadRunner()
        self.concurrency = concurrency
        try? workspace.store.reclaimAbandonedWork(now: Date())
    }

    deinit {
        loop.withLock { $0?.cancel() }
        watcher.withLock { $0?.cancel() }
    }

    func loadRows() async throws -> [CallRow] { try workspace.store.callRows() }

    func loadFirstPage(limit: Int) async throws -> ListPage? {
        let counts = try workspace.store.callCountsByState()
        // A small store loads whole as fast as a page: no partial frame then.
        guard counts.total > limit * 4 else { return nil }
        return ListPage(rows: try workspace.store.callRows(limit: limit), totalCalls: counts.total, counts: counts.byState)
    }

    func loadDetail(callSid: String) async throws -> CallDetail? { try workspace.store.callDetail(callSid) }

    func sync() async throws {
        do {
            _ = try await workspace.syncService().run()
        } catch let failure as SyncService.Failure {
            throw DashboardFailure(failure.description)
        }
        startDownloadLoop()
    }

    func download(callSids: [String]) async {
        let sids = callSids.flatMap { ((try? workspace.store.recordings(ofCall: $0)) ?? []).map(\.sid) }
        let moved = (try? workspace.store.resetForRetry(sids, now: Date())) ?? []
        workspace.bus.emit(.message(moved.isEmpty ? "nothing to retry for the selection" : "retrying \(moved.count) recording(s)", isError: false))
        for call in callSids { workspace.bus.emit(.callChanged(callSid: call)) }
        startDownloadLoop()
    }

    func retryAllFailed() async {
        let failed = (try? workspace.store.recordingSids(inState: [.failed])) ?? []
        try? workspace.store.resetForRetry(failed, now: Date())
        workspace.bus.emit(.message("retrying \(failed.count) failed recording(s)", isError: false))
        startDownloadLoop()
    }

    /// Queues offline transcriptions; the worker runs one job at a time and
    /// progress comes back as events, so the dashboard never waits here.
    func transcribe(callSids: [String]) async throws {
        guard let transcription else {
            throw DashboardFailure(context.transcriptionUnavailableReason ?? "offline transcription is not available")
        }
        workspace.bus.emit(.message("transcribing \(callSids.count) call(s)", isError: false))
        for call in callSids {
            try? workspace.store.setTranscriptionJob(call, state: .pending, now: Date())
            workspace.bus.emit(.callChanged(callSid: call))
        }
        let bus = workspace.bus
        Task.detached {
            for call in callSids {
                do {
                    let t = try await transcription.transcribe(callSid: call, downloadWait: 60)
                    bus.emit(.message("\(call.prefix(12))…: \(t.isEmpty ? "no speech" : "\(t.text.count) chars") offline", isError: false))
                } catch {
                    bus.emit(.message("\(call.prefix(12))…: transcription failed: \(error)", isError: true))
                }
            }
        }
    }

    func events() -> AsyncStream<CoreEvent> { workspace.bus.stream() }

    /// Another process (`calltop serve`, a CLI download) writing to the same
    /// store shows up here within a couple of seconds, not at the next refresh.
    func startWatchingStore() {
        let store = workspace.store
        let bus = workspace.bus
        watcher.withLock { task in
            guard task == nil else { return }
            task = Task.detached {
                var last = store.changeStamp()
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(2))
                    let now = store.changeStamp()
                    if now != last {
                        last = now
                        bus.emit(.callChanged(callSid: ""))
                    }
                }
            }
        }
    }

    /// One background loop for the dashboard's life: download whatever is
    /// due (pending, or a retry whose time has come), otherwise look again in
    /// a second. Polling an indexed query is cheaper than getting wake-ups right.
    func startDownloadLoop() {
        guard !context.readonly, let runner else { return }
        let store = workspace.store
        let concurrency = self.concurrency
        loop.withLock { task in
            guard task == nil else { return }
            task = Task.detached {
                while !Task.isCancelled {
                    let due = (try? store.dueRecordingSids(now: Date())) ?? []
                    if due.isEmpty {
                        try? await Task.sleep(for: .seconds(1))
                    } else {
                        _ = await runner.run(due, options: .init(concurrency: concurrency, wait: 0))
                    }
                }
            }
        }
    }
}

struct DashboardFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
