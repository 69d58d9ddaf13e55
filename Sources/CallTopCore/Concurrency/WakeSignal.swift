import Foundation
import Synchronization

/// "Something changed: look now", for a loop that otherwise sleeps until its
/// next deadline: serve's settle/deliver loop (a callback or a transcript
/// arrived), a worker's claim loop (a job ended, a stop was asked). The loop
/// awaits it, so a wake-up is acted on at once instead of at the next poll.
public final class WakeSignal: Sendable {
    private struct State {
        var count: UInt64 = 0
        var waiting: [UUID: CheckedContinuation<Void, Never>] = [:]
        /// Waits whose deadline or cancellation came before they parked.
        var released: Set<UUID> = []
    }
    private let state = Mutex(State())

    public init() {}

    public func wake() {
        let woken = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.count += 1
            defer { s.waiting.removeAll() }
            return Array(s.waiting.values)
        }
        for continuation in woken { continuation.resume() }
    }

    /// Changes with every wake-up.
    public var current: UInt64 { state.withLock { $0.count } }

    /// Returns once there was a wake-up after `seen` (at once if there already
    /// was), at `deadline`, or when the task is cancelled.
    public func wait(since seen: UInt64, until deadline: Date) async {
        let id = UUID()
        let timer = Task { [self] in
            try? await Task.sleep(for: .seconds(max(0, deadline.timeIntervalSinceNow)))
            release(id)
        }
        defer { timer.cancel() }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { s -> Bool in
                    if s.count != seen || s.released.remove(id) != nil { return true }
                    s.waiting[id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            release(id)
        }
    }

    private func release(_ id: UUID) {
        let parked = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if let c = s.waiting.removeValue(forKey: id) { return c }
            s.released.insert(id)
            return nil
        }
        parked?.resume()
    }
}
