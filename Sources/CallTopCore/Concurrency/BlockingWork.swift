import Dispatch

/// Runs blocking system calls (fsync, rename) on a Dispatch thread, not on one
/// of Swift's cooperative threads: there are as many of those as cores (2
/// here), and one stuck in fsync stalls every task that wanted it.
enum BlockingWork {
    static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .utility).async { continuation.resume(returning: body()) }
        }
    }
}
