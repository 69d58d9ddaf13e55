import Foundation
import Synchronization

/// Fans core events out to whoever listens (the dashboard); cheap when nobody does.
public final class EventBus: Sendable {
    private let listeners = Mutex<[UUID: AsyncStream<CoreEvent>.Continuation]>([:])

    public init() {}

    public func emit(_ event: CoreEvent) {
        for c in listeners.withLock({ Array($0.values) }) { c.yield(event) }
    }

    public func stream() -> AsyncStream<CoreEvent> {
        let (stream, continuation) = AsyncStream<CoreEvent>.makeStream(bufferingPolicy: .bufferingNewest(4096))
        let id = UUID()
        listeners.withLock { $0[id] = continuation }
        continuation.onTermination = { [weak self] _ in self?.listeners.withLock { _ = $0.removeValue(forKey: id) } }
        return stream
    }
}
