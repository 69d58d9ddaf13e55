import CallTopCore
import Foundation

/// How a worker looks from its row at a moment. A row can say `running`
/// long after its process died (killed, or cut off from the store): a
/// heartbeat that stopped coming is what tells, so that worker is `silent`.
public enum WorkerCondition: String, Sendable {
    case running, stopped, silent

    /// Workers beat every few seconds, never less often than every 15 s: two
    /// of the longest intervals without a beat and the worker counts as gone.
    public static let silentAfter: TimeInterval = 2 * 15

    public init(_ worker: WorkerRecord, now: Date) {
        if worker.state == .stopped {
            self = .stopped
        } else if now.timeIntervalSince(worker.heartbeatAt) > Self.silentAfter {
            self = .silent
        } else {
            self = .running
        }
    }
}

/// The team at a glance, for the header: workers still beating, and how
/// many of them have jobs running.
public struct TeamSummary: Sendable, Equatable {
    public var live: Int
    public var busy: Int

    public init(workers: [WorkerRecord], now: Date) {
        let live = workers.filter { WorkerCondition($0, now: now) == .running }
        self.live = live.count
        busy = live.filter { $0.jobsRunning > 0 }.count
    }
}
