import CallTopCore

/// What the dashboard needs from the core. The dashboard knows nothing about
/// HTTP or the store; whoever wires `calltop` implements this over them.
///
/// Every method is called from a task off the UI loop, so a slow one only
/// delays its own result. Long work (downloads, transcription) should start
/// and return; progress and changes come back through `events()`.
public protocol DashboardServices: Sendable {
    var context: DashboardContext { get }
    /// All calls as the list shows them (any order: the dashboard sorts).
    func loadRows() async throws -> [CallRow]
    /// The newest `limit` calls with exact totals, or nil (then only `loadRows` is used).
    func loadFirstPage(limit: Int) async throws -> ListPage?
    /// The workers sharing the store (`calltop worker`), loaded with the rows.
    func loadWorkers() async throws -> [WorkerRecord]
    /// nil when the call is no longer in the store.
    func loadDetail(callSid: String) async throws -> CallDetail?
    /// Pulls calls and recording metadata from Twilio into the store.
    func sync() async throws
    /// Starts or retries downloads for these calls; `failed` goes back to `pending` at once.
    func download(callSids: [String]) async
    func retryAllFailed() async
    /// Only called when `context.transcriptionAvailable` is true.
    func transcribe(callSids: [String]) async throws
    /// Progress, changes, log lines and messages, for as long as the dashboard runs.
    func events() -> AsyncStream<CoreEvent>
}

/// The newest calls and the store's exact totals, so a dashboard over a large
/// store can draw its first frame before the whole list has loaded.
public struct ListPage: Sendable, Equatable {
    public var rows: [CallRow]
    public var totalCalls: Int
    /// Calls per download state of their primary recording (nil: no recording).
    public var counts: [DownloadState?: Int]

    public init(rows: [CallRow], totalCalls: Int, counts: [DownloadState?: Int]) {
        self.rows = rows; self.totalCalls = totalCalls; self.counts = counts
    }
}

extension DashboardServices {
    /// Services that can load everything quickly need not offer a first page.
    public func loadFirstPage(limit: Int) async throws -> ListPage? { nil }
    /// Services without workers (a demo, a test's fake) need not know about them.
    public func loadWorkers() async throws -> [WorkerRecord] { [] }
}
