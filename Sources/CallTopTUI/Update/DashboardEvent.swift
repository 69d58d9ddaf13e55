import CallTopCore
import Foundation

/// Everything that can happen to the dashboard. Results of effects come back
/// as events too, so `update` is the only place state changes.
public enum DashboardEvent: Sendable {
    case key(Key)
    case resize(TerminalSize)
    case core(CoreEvent)
    case rowsLoaded([CallRow])
    /// How long the last full list load took (it paces the next one: `RowReloadPacing`).
    case rowsLoadTook(seconds: Double)
    /// The workers, loaded with the rows (so they come with every `loadRows`).
    case workersLoaded([WorkerRecord])
    /// The newest calls and exact totals, while the full list is still loading.
    case firstPageLoaded(ListPage)
    case detailLoaded(CallDetail?)
    /// Sent about once a second; drives auto refresh and message expiry.
    case tick(now: Date)
    /// `DashboardServices.sync()` returned.
    case syncCompleted(at: Date)
    /// A download, retry or transcribe request was accepted by the services.
    case effectFinished(DashboardEffect)
    case effectFailed(DashboardEffect, message: String)
}

/// Work `update` asks for. The runtime performs it off the UI loop and
/// reports back with an event.
public enum DashboardEffect: Sendable, Hashable {
    case loadRows
    /// The list again once `seconds` have passed: changes that came during a load.
    case loadRowsAfter(seconds: Double)
    /// Only on the very first load: a page to draw at once with a large store.
    case loadFirstPage
    case loadDetail(callSid: String)
    case sync
    case download(callSids: [String])
    case retry(callSids: [String])
    case retryAllFailed
    case transcribe(callSids: [String])
    case quit
    /// Put text on the clipboard of the terminal the user sits at (OSC 52).
    case copyToClipboard(String)
    /// Open a URL in a local browser, when there is one (not over ssh).
    case openURL(String)
    /// Repaint the whole terminal (Ctrl-L), not just what changed.
    case redraw
}
