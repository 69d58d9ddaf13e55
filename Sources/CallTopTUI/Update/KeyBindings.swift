/// What a key does. One table (`KeyBindings.standard`) maps keys to actions
/// and is also what the help screen and the footer are generated from.
public enum DashboardAction: String, Sendable, CaseIterable {
    case moveDown, moveUp, pageDown, pageUp, top, bottom
    case openDetail, back
    case filter, cycleStateFilter, cycleSort, toggleMark
    case retry, retryAllFailed, downloadNow, transcribe
    case copySid, openConsole
    case showWorkers, toggleLog, togglePause, redraw, help, quit
}

public struct KeyBinding: Sendable {
    public enum Section: String, Sendable, CaseIterable {
        case navigation = "Moving around"
        case list = "The list"
        case actions = "Actions (disabled with --readonly)"
        case view = "View"
    }

    public let action: DashboardAction
    public let keys: [Key]
    public let section: Section
    public let summary: String
    /// Short name in the footer; nil keeps it out of the footer.
    public let footer: String?
    /// Refused in read-only mode.
    public let changesData: Bool
    /// Shown in the detail view's footer as well as the list's.
    public let inDetail: Bool

    public var keyLabel: String { keys.map(\.label).joined(separator: " ") }
}

public struct KeyBindings: Sendable {
    public let bindings: [KeyBinding]
    private let byKey: [Key: DashboardAction]

    public init(_ bindings: [KeyBinding]) {
        self.bindings = bindings
        var map: [Key: DashboardAction] = [:]
        for binding in bindings {
            for key in binding.keys where map[key] == nil { map[key] = binding.action }
        }
        byKey = map
    }

    public func action(for key: Key) -> DashboardAction? { byKey[key] }

    public func binding(for action: DashboardAction) -> KeyBinding? {
        bindings.first { $0.action == action }
    }

    public static let standard = KeyBindings([
        .init(action: .moveDown, keys: [.character("j"), .down], section: .navigation,
              summary: "next call (detail, help, workers: scroll down)", footer: nil, changesData: false, inDetail: false),
        .init(action: .moveUp, keys: [.character("k"), .up], section: .navigation,
              summary: "previous call (detail, help, workers: scroll up)", footer: nil, changesData: false, inDetail: false),
        .init(action: .pageDown, keys: [.pageDown, .control("f")], section: .navigation,
              summary: "one page down", footer: nil, changesData: false, inDetail: false),
        .init(action: .pageUp, keys: [.pageUp, .control("b")], section: .navigation,
              summary: "one page up", footer: nil, changesData: false, inDetail: false),
        .init(action: .top, keys: [.character("g"), .home], section: .navigation,
              summary: "first call", footer: nil, changesData: false, inDetail: false),
        .init(action: .bottom, keys: [.character("G"), .end], section: .navigation,
              summary: "last call", footer: nil, changesData: false, inDetail: false),
        .init(action: .openDetail, keys: [.enter], section: .navigation,
              summary: "details of the selected call", footer: "detail", changesData: false, inDetail: false),
        .init(action: .back, keys: [.escape], section: .navigation,
              summary: "back; in the list: clear filters, then marks", footer: "back", changesData: false, inDetail: true),
        .init(action: .filter, keys: [.character("/")], section: .list,
              summary: "filter by SID, number, state or status (re:… for a regex)", footer: "filter", changesData: false, inDetail: false),
        .init(action: .cycleStateFilter, keys: [.character("f")], section: .list,
              summary: "show: all, failed, not downloaded, no offline transcript, in progress, downloaded",
              footer: "show", changesData: false, inDetail: false),
        .init(action: .cycleSort, keys: [.character("s")], section: .list,
              summary: "sort: newest, oldest, state, longest, largest", footer: "sort", changesData: false, inDetail: false),
        .init(action: .toggleMark, keys: [.character(" ")], section: .list,
              summary: "mark or unmark the call, then move down", footer: "mark", changesData: false, inDetail: false),
        .init(action: .retry, keys: [.character("r")], section: .actions,
              summary: "retry the download of the marked calls, or the selected one", footer: "retry", changesData: true, inDetail: true),
        .init(action: .retryAllFailed, keys: [.character("R")], section: .actions,
              summary: "retry every failed download (asks first)", footer: "retry failed", changesData: true, inDetail: false),
        .init(action: .downloadNow, keys: [.character("d")], section: .actions,
              summary: "download now (marked or selected)", footer: "download", changesData: true, inDetail: true),
        .init(action: .transcribe, keys: [.character("t")], section: .actions,
              summary: "offline transcription (marked or selected)", footer: "transcribe", changesData: true, inDetail: true),
        .init(action: .copySid, keys: [.character("y")], section: .list,
              summary: "copy the call SID to the clipboard (OSC 52: works over ssh)", footer: nil, changesData: false, inDetail: false),
        .init(action: .openConsole, keys: [.character("o")], section: .list,
              summary: "the call in the Twilio Console: copied, and opened when a browser is at hand",
              footer: nil, changesData: false, inDetail: false),
        .init(action: .showWorkers, keys: [.character("w")], section: .view,
              summary: "the workers sharing the store (calltop worker): heartbeat, state, jobs", footer: "workers",
              changesData: false, inDetail: false),
        .init(action: .toggleLog, keys: [.character("l")], section: .view,
              summary: "show or hide the log pane ([OFFLINE_STT] lines, live)", footer: "log", changesData: false, inDetail: true),
        .init(action: .togglePause, keys: [.character("p")], section: .view,
              summary: "pause or resume auto refresh", footer: "pause", changesData: false, inDetail: false),
        .init(action: .redraw, keys: [.control("l")], section: .view,
              summary: "redraw the screen", footer: nil, changesData: false, inDetail: false),
        .init(action: .help, keys: [.character("?")], section: .view,
              summary: "this help", footer: "help", changesData: false, inDetail: true),
        .init(action: .quit, keys: [.character("q"), .control("c")], section: .view,
              summary: "quit", footer: "quit", changesData: false, inDetail: true),
    ])
}
