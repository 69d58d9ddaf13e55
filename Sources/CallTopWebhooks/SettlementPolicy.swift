import CallTopCore
import Foundation

/// How long a call waits for its offline transcript before the realtime one
/// is delivered instead (DESIGN.md: 2 × 5 s by default).
public struct WaitWindow: Sendable, Equatable {
    public var attempts: Int
    public var interval: TimeInterval

    public init(attempts: Int = 2, interval: TimeInterval = 5) {
        self.attempts = max(1, attempts)
        self.interval = interval.isFinite ? max(0, interval) : 0
    }

    /// How many checks' times have come, at most `attempts`.
    public func checksPassed(since completedAt: Date, now: Date) -> Int {
        guard interval > 0 else { return attempts }
        // A millisecond of slack: times round-trip through the store as seconds
        // since 1970 in a Double, which moves them by up to ~0.2 µs.
        let elapsed = now.timeIntervalSince(completedAt) + 0.001
        // Compared as Doubles first: a tiny interval makes the quotient too large for Int.
        return elapsed < 0 ? 0 : Int(min(Double(attempts), (elapsed / interval).rounded(.down)))
    }

    /// When check number `n` (1-based) happens, counted from the recording's completion.
    public func check(_ n: Int, after completedAt: Date) -> Date {
        completedAt.addingTimeInterval(interval * Double(n))
    }
}

/// What to do with a call whose transcript may have settled.
public enum SettlementStep: Sendable, Equatable {
    /// Queue delivery `version` of this transcript; `supersedes` names the earlier version it replaces.
    case deliver(TranscriptChoice, version: Int, supersedes: Int?, checksDone: Int)
    /// Not settled: look again at this time.
    case wait(checksDone: Int, until: Date)
    /// Nothing more to deliver unless an offline transcript appears.
    case idle(checksDone: Int)
}

/// The decision, as a pure function (async-http-client's state machines are
/// the model): the store supplies the facts, the settler performs the step.
public enum SettlementPolicy {
    public static func decide(_ s: WebhookSettlement, offline: OfflineTranscriptState, realtime: String?,
                              window: WaitWindow, now: Date) -> SettlementStep {
        // Checks are counted by the clock, not by how often we looked: a loop
        // that ran late (or a serve restarted after the window) catches up at once.
        let checksDone = max(s.checksDone, window.checksPassed(since: s.completedAt, now: now))
        let supersedes = s.deliveredVersion > 0 ? s.deliveredVersion : nil
        if s.deliveredSource == .offline { return .idle(checksDone: checksDone) }

        let choice = TranscriptPolicy.choose(offline: offline, realtime: realtime)
        if choice.source == .offline {
            return .deliver(choice, version: s.deliveredVersion + 1, supersedes: supersedes, checksDone: checksDone)
        }
        // A fallback was delivered already: only an offline transcript changes anything now.
        if s.deliveredVersion > 0 { return .idle(checksDone: checksDone) }
        if checksDone >= window.attempts {
            return .deliver(choice, version: 1, supersedes: nil, checksDone: checksDone)
        }
        return .wait(checksDone: checksDone, until: window.check(checksDone + 1, after: s.completedAt))
    }
}
