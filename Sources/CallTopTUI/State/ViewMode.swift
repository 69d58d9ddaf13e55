/// The screen under an overlay: help returns to it.
public enum Screen: Sendable, Equatable {
    case main
    case detail(callSid: String)
}

/// What is being asked in the confirm popup.
public enum ConfirmAction: Sendable, Equatable {
    case retryAllFailed(count: Int)
}

public enum ViewMode: Sendable, Equatable {
    case main
    case detail(callSid: String)
    case help(returnTo: Screen)
    /// Typing a `/` filter; the list behind it filters live.
    case filterInput
    case confirm(ConfirmAction)
}
