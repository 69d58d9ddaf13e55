import Foundation

/// Runs `body` for racers `0..<count` at once, each on a thread of its own, and
/// returns what each came to (in racer order).
///
/// Threads, not the cooperative pool: it has two threads on this machine, and
/// the PostgreSQL engine holds its caller's thread for a whole transaction, so
/// plain tasks would take turns instead of racing. All racers wait at a start
/// line until every one is there, so their transactions overlap.
func race<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) async throws -> T) async -> [Result<T, any Error>] {
    let line = StartLine(racers: count)
    let executors = (0..<count).map { _ in OwnThreadExecutor() }
    let results = await withTaskGroup(of: (Int, Result<T, any Error>).self) { group in
        for i in 0..<count {
            group.addTask(executorPreference: executors[i]) {
                line.arriveAndWait()
                do { return (i, .success(try await body(i))) } catch { return (i, .failure(error)) }
            }
        }
        var all: [(Int, Result<T, any Error>)] = []
        for await result in group { all.append(result) }
        return all
    }
    withExtendedLifetime(executors) {}
    return results.sorted { $0.0 < $1.0 }.map(\.1)
}

/// A task executor with a serial queue of its own: its jobs run on a thread
/// that may block without holding up anyone else's.
final class OwnThreadExecutor: TaskExecutor {
    private let queue = DispatchQueue(label: "calltop.contract.racer")

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

/// Holds racers until all have arrived (or 10 s pass: a missing racer must not hang the suite).
final class StartLine: @unchecked Sendable {
    private let condition = NSCondition()
    private var waiting: Int

    init(racers: Int) { waiting = racers }

    func arriveAndWait() {
        condition.lock()
        defer { condition.unlock() }
        waiting -= 1
        if waiting <= 0 { condition.broadcast() }
        let deadline = Date().addingTimeInterval(10)
        while waiting > 0, condition.wait(until: deadline) {}
    }
}
