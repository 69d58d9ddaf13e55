import Foundation

/// Whether and when to repeat a failed API request (list pages, metadata):
/// the same full-jitter schedule as media, for the failures Twilio documents
/// as worth repeating (429/20429 when the account is over its concurrency
/// limit, 5xx) and for network trouble. A `Retry-After` header, which Twilio
/// does not promise, is honoured when present, up to the schedule's cap.
public struct RequestRetry: Sendable, Equatable {
    public var schedule: RetrySchedule

    public init(schedule: RetrySchedule = RetrySchedule()) {
        self.schedule = schedule
    }

    public enum Verdict: Sendable, Equatable {
        case retry(after: TimeInterval)
        case giveUp
    }

    /// `failures` counts this one; `unit` is a random number in [0, 1).
    public func verdict(for error: TwilioError, retryAfter: String?, failures: Int, unit: Double, now: Date) -> Verdict {
        guard Self.isWorthRepeating(error), schedule.allowsAnotherAttempt(afterFailures: failures) else { return .giveUp }
        if let retryAfter, let asked = Self.seconds(retryAfter: retryAfter, now: now) {
            return .retry(after: min(max(0, asked), schedule.cap))
        }
        return .retry(after: schedule.delay(afterFailures: failures, unit: unit))
    }

    static func isWorthRepeating(_ error: TwilioError) -> Bool {
        switch error {
        case let .http(status, _, _, _): return status == 429 || (500...599).contains(status)
        case let .transport(t, _): return t.isTransient
        case .decoding, .redirectRefused: return false
        }
    }

    /// RFC 9110: delay-seconds or an HTTP-date.
    static func seconds(retryAfter value: String, now: Date) -> TimeInterval? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if let whole = Int(text) { return TimeInterval(max(0, whole)) }
        return RFC2822Date.parse(text.replacingOccurrences(of: " GMT", with: " +0000")).map { $0.timeIntervalSince(now) }
    }
}
