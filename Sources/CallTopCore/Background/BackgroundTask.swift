import Synchronization

/// One background task at a time, cancelled by `stop()` or when its owner
/// lets go of this (deinit): the owner of a loop the dashboard or a worker starts.
public final class BackgroundTask: Sendable {
    private let task = Mutex<Task<Void, Never>?>(nil)

    public init() {}

    deinit { stop() }

    /// Starts `body` unless it is running already. `body` should not hold the
    /// owner, or the owner is never let go of.
    public func start(_ body: @escaping @Sendable () async -> Void) {
        task.withLock { task in
            guard task == nil else { return }
            task = Task.detached(operation: body)
        }
    }

    public func stop() {
        task.withLock { task in
            task?.cancel()
            task = nil
        }
    }
}
