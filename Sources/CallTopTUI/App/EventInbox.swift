import Foundation
import Synchronization

/// Where effect tasks and the core's event stream drop their results; the UI
/// loop drains it between frames, so nothing else ever touches the state.
final class EventInbox: Sendable {
    private let events = Mutex<[DashboardEvent]>([])

    func post(_ event: DashboardEvent) {
        events.withLock { $0.append(event) }
    }

    func drain() -> [DashboardEvent] {
        events.withLock { all in
            let drained = all
            all.removeAll(keepingCapacity: true)
            return drained
        }
    }
}

/// Set by SIGINT/SIGTERM/SIGHUP; the loop then exits and restores the terminal.
final class StopRequest: Sendable {
    private let requested = Mutex(false)

    func request() { requested.withLock { $0 = true } }
    var isRequested: Bool { requested.withLock { $0 } }
}
