import Foundation
import CallTopCore
import Synchronization

/// Requests refused for a missing or bad signature or token, counted instead
/// of logged one by one: unsigned traffic (scanners, a misconfigured proxy)
/// must not fill the log. `summary(now:)` gives one line per interval in which
/// something was refused.
public final class RefusalTally: Sendable {
    public enum Endpoint: String, Sendable, CaseIterable {
        case recordingStatus = "recording status"
        case transcription = "transcription"
        case agentTranscript = "realtime transcript"
    }

    public let interval: TimeInterval
    private let state: Mutex<(since: Date, counts: [Endpoint: Int])>

    public init(interval: TimeInterval = 60, now: Date = Date()) {
        self.interval = interval
        state = Mutex((now, [:]))
    }

    public func record(_ endpoint: Endpoint) {
        state.withLock { $0.counts[endpoint, default: 0] += 1 }
    }

    /// The line for the interval that has ended, if it refused anything; nil
    /// while the interval runs (`force` ends it now: at shutdown).
    public func summary(now: Date, force: Bool = false) -> String? {
        state.withLock { s -> String? in
            let elapsed = now.timeIntervalSince(s.since)
            guard force || elapsed >= interval else { return nil }
            let counts = s.counts
            s = (now, [:])
            let total = counts.values.reduce(0, +)
            guard total > 0 else { return nil }
            let parts = Endpoint.allCases.compactMap { e in counts[e].map { "\(Self.grouped($0)) \(e.rawValue)" } }
            return "[WEBHOOK] Refused \(Self.grouped(total)) unsigned or badly signed request\(total == 1 ? "" : "s") "
                + "in the last \(Int(elapsed.rounded())) s (\(parts.joined(separator: ", ")))"
        }
    }

    static func grouped(_ n: Int) -> String { groupedDigits(n) }
}
