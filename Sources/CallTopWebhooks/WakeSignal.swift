import Synchronization

/// "Something changed: look at settlements and the outbox now", for serve's
/// settle/deliver loop. What is built before the server (the pipeline's and
/// the receiver's change callbacks) holds this instead of the server.
public final class WakeSignal: Sendable {
    private let count = Atomic<UInt64>(0)

    public init() {}

    public func wake() { count.add(1, ordering: .relaxed) }

    /// Changes with every wake-up.
    var current: UInt64 { count.load(ordering: .relaxed) }
}
