/// The screen under an overlay: help returns to it.
public enum Screen: Sendable, Equatable {
    case main
    case detail(callSid: String)

    /// The mode that shows this screen again.
    var mode: ViewMode {
        switch self {
        case .main: .main
        case .detail(let sid): .detail(callSid: sid)
        }
    }
}

/// What is being asked in the confirm popup.
public enum ConfirmAction: Sendable, Equatable {
    case retryAllFailed(count: Int)
}

public enum ViewMode: Sendable, Equatable {
    case main
    case detail(callSid: String)
    case help(returnTo: Screen)
    /// The workers sharing the store (`w`); Esc goes back to where it was opened.
    case workers(returnTo: Screen)
    /// Typing a `/` filter; the list behind it filters live.
    case filterInput
    case confirm(ConfirmAction)
}
