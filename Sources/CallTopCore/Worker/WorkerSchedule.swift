import Foundation

/// When a worker syncs: the decisions of its sync loop, as values.
public struct SyncSchedule: Sendable, Equatable {
    public var interval: TimeInterval
    /// This worker's last sync attempt (success or not).
    public var lastAttempt: Date?

    public init(interval: TimeInterval, lastAttempt: Date? = nil) {
        self.interval = interval
        self.lastAttempt = lastAttempt
    }

    /// Due once an interval has passed since this worker's last attempt. A
    /// worker that has not synced yet goes by the store's last successful sync
    /// (another worker's, before this one took the lease): none, or one an
    /// interval old, means now. The window itself is SyncService's: the first
    /// sync of a store looks back 7 days, later ones from the last one.
    public func isDue(now: Date, lastSuccess: Date?) -> Bool {
        if let lastAttempt { return now.timeIntervalSince(lastAttempt) >= interval }
        guard let lastSuccess else { return true }
        return now.timeIntervalSince(lastSuccess) >= interval || lastSuccess > now
    }

    /// When to look again.
    public func nextCheck(now: Date, lastSuccess: Date?) -> Date {
        if isDue(now: now, lastSuccess: lastSuccess) { return now }
        let from = lastAttempt ?? lastSuccess ?? now
        return from.addingTimeInterval(interval)
    }
}

/// Which jobs to start with the free slots: candidates in the store's order,
/// minus what this worker already runs.
public enum ClaimPlan {
    public static func pick(_ candidates: [String], running: Set<String>, slots: Int, free: Int) -> [String] {
        let room = max(0, min(free, slots))
        guard room > 0 else { return [] }
        var picked: [String] = []
        var seen = running
        for id in candidates where picked.count < room && seen.insert(id).inserted { picked.append(id) }
        return picked
    }
}

/// What a stopping worker does with the jobs it still runs.
public enum DrainDecision: Equatable, Sendable {
    /// Nothing runs: stop now.
    case stop
    /// Let them finish: look again when one ends, or at the deadline.
    case wait(until: Date)
    /// Out of time: hand the rest back (release their leases) so another worker takes them at once.
    case handBack(count: Int)

    public static func decide(running: Int, now: Date, deadline: Date) -> DrainDecision {
        if running == 0 { return .stop }
        if now >= deadline { return .handBack(count: running) }
        return .wait(until: deadline)
    }
}
