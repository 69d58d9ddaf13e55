import Foundation

/// Where effect tasks and the core's event stream drop their results; the UI
/// loop drains it between frames, so nothing else ever touches the state.
final class EventInbox: @unchecked Sendable {
    // NSLock rather than Mutex: Mutex needs macOS 15 and the package targets 14.
    private let lock = NSLock()
    private var events: [DashboardEvent] = []

    func post(_ event: DashboardEvent) {
        lock.lock(); defer { lock.unlock() }
        events.append(event)
    }

    func drain() -> [DashboardEvent] {
        lock.lock(); defer { lock.unlock() }
        let drained = events
        events.removeAll(keepingCapacity: true)
        return drained
    }
}

/// Set by SIGINT/SIGTERM/SIGHUP; the loop then exits and restores the terminal.
final class StopRequest: @unchecked Sendable {
    private let lock = NSLock()
    private var requested = false

    func request() { lock.lock(); requested = true; lock.unlock() }
    var isRequested: Bool { lock.lock(); defer { lock.unlock() }; return requested }
}
