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
