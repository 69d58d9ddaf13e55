import Foundation

/// The time, injected: services that decide by the clock (sync windows,
/// retry times, the wait window, the outbox's backoff) take one, so tests
/// drive them with a fake clock instead of sleeping. Production uses `SystemClock`.
public protocol WallClock: Sendable {
    func now() -> Date
}

public struct SystemClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
}
