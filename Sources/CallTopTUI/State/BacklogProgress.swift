import CallTopCore
import Foundation

/// How fast the download backlog drains, for the header's
/// `1,240/2,000 · 38/s · ETA 0:20`: fed the number of calls still waiting
/// for a download at each row load, it keeps where the backlog started and a
/// smoothed rate. A pure value; `update` feeds it, `render` reads it.
public struct BacklogProgress: Sendable, Equatable {
    /// Calls waiting when the backlog began, plus any that joined it since.
    public private(set) var total = 0
    public private(set) var remaining = 0
    /// Calls per second, smoothed over the last several observations.
    public private(set) var rate: Double?
    private struct Observation: Sendable, Equatable { var remaining: Int; var at: Date }
    private var last: Observation?

    public init() {}

    public var done: Int { max(0, total - remaining) }
    public var isActive: Bool { remaining > 0 && total > 0 }

    /// Seconds left at the current rate; nil until there is a rate.
    public var eta: TimeInterval? {
        guard isActive, let rate, rate > 0 else { return nil }
        return Double(remaining) / rate
    }

    /// `waiting`: calls whose recordings are pending, downloading, retrying or not ready.
    public mutating func observe(waiting: Int, at now: Date) {
        defer { last = Observation(remaining: waiting, at: now) }
        guard waiting > 0 else {
            self = BacklogProgress()
            return
        }
        if total == 0 || remaining == 0 { total = waiting; rate = nil }
        if waiting > remaining, remaining > 0 { total += waiting - remaining }  // new work joined
        remaining = waiting
        guard let last, now > last.at else { return }
        let drained = Double(max(0, last.remaining - waiting))
        let seconds = now.timeIntervalSince(last.at)
        guard seconds >= 0.2 else { return }
        let instant = drained / seconds
        // Exponential smoothing: a second of quiet does not make the ETA jump to infinity.
        rate = rate.map { 0.7 * $0 + 0.3 * instant } ?? instant
    }

    /// "1,240/2,000 · 38/s · ETA 0:20", once the backlog has been seen to move
    /// (a few recordings waiting out Twilio's processing are no backlog to time).
    public var label: String? {
        guard isActive, let rate, rate > 0, let eta else { return nil }
        let perSecond = rate >= 10 ? String(Int(rate.rounded())) : String(format: "%.1f", rate)
        return "\(Self.grouped(done))/\(Self.grouped(total)) · \(perSecond)/s · ETA \(Self.clock(eta))"
    }

    static func grouped(_ n: Int) -> String { groupedDigits(n) }

    static func clock(_ seconds: TimeInterval) -> String {
        let s = Int(min(seconds, 359_999).rounded())
        let (h, m, r) = (s / 3600, s / 60 % 60, s % 60)
        return h > 0 ? String(format: "%d:%02d:%02d", h, m, r) : String(format: "%d:%02d", m, r)
    }
}
