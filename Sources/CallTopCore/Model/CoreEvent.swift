import Foundation

/// What the core reports while it works; the dashboard turns these into
/// state changes. The store stays the source of truth: an event says
/// "look again", progress events carry what the store does not hold.
public enum CoreEvent: Sendable, Equatable {
    case syncStarted
    case syncFinished(at: Date, calls: Int)
    case syncFailed(message: String)
    case downloadProgress(callSid: String, recordingSid: String, bytes: Int64, total: Int64?)
    /// A recording's row in the store changed (state, attempts, transcript).
    case callChanged(callSid: String)
    case transcriptionProgress(callSid: String, fraction: Double)
    /// A line written to the log (the `[OFFLINE_STT]` lines the log pane shows).
    case log(line: String)
    /// A one-line message for the status line.
    case message(String, isError: Bool)
}
