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

extension Duration {
    /// The duration in seconds, as a `Double` (for rates, log lines and the dashboard's pacing).
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
