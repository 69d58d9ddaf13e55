import Foundation

/// Exponential backoff with full jitter (the AWS architecture blog's variant,
/// which async-http-client also uses): wait a uniformly random time between 0
/// and min(cap, base·2^(n-1)) after the n-th transient failure.
public struct RetrySchedule: Sendable, Equatable {
    public var base: TimeInterval
    public var cap: TimeInterval
    /// Total tries, the first one included.
    public var maxAttempts: Int

    public init(base: TimeInterval = 1, cap: TimeInterval = 60, maxAttempts: Int = 8) {
        self.base = base
        self.cap = cap
        self.maxAttempts = maxAttempts
    }

    /// The ceiling of the wait after `failures` transient failures (≥ 1).
    public func ceiling(afterFailures failures: Int) -> TimeInterval {
        let exponent = Double(max(0, min(failures - 1, 30)))
        return min(cap, base * pow(2, exponent))
    }

    /// `unit` is a random number in [0, 1): passed in so the schedule stays a pure value.
    public func delay(afterFailures failures: Int, unit: Double) -> TimeInterval {
        ceiling(afterFailures: failures) * min(max(unit, 0), 1)
    }

    public func allowsAnotherAttempt(afterFailures failures: Int) -> Bool {
        failures < maxAttempts
    }
}

/// How often to look again while Twilio is still processing a recording:
/// quickly at first (most recordings complete within seconds of hang-up),
/// then every minute, for at most `window` after it was first seen not ready.
public struct NotReadySchedule: Sendable, Equatable {
    public var delays: [TimeInterval]
    public var window: TimeInterval

    public init(delays: [TimeInterval] = [2, 5, 10, 20, 30, 60], window: TimeInterval = 15 * 60) {
        self.delays = delays
        self.window = window
    }

    public func delay(afterTries tries: Int) -> TimeInterval {
        guard let last = delays.last else { return 60 }
        return tries >= 1 && tries <= delays.count ? delays[tries - 1] : last
    }
}
