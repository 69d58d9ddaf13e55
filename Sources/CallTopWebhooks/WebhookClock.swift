import Foundation
import Synchronization

/// Time as the webhook side sees it. Injected so tests drive the wait window
/// and the outbox's backoff with a fake clock instead of sleeping.
public protocol WebhookClock: Sendable {
    func now() -> Date
}

public struct SystemClock: WebhookClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock that moves only when told to.
public final class FakeClock: WebhookClock {
    private let current: Mutex<Date>
    public init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) { current = Mutex(start) }
    public func now() -> Date { current.withLock { $0 } }
    public func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}
