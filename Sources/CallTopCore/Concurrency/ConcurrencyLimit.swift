/// How many requests to keep in flight to one Twilio account: additive
/// increase while requests succeed, halving on 429 (20429, the account is over
/// its concurrency limit), the way TCP finds a link's capacity. Twilio does not
/// publish the limit, so it is found, not configured.
///
/// One overload answers several requests with 429 at once; only a 429 to a
/// request started after the last halving halves again, so a burst counts once.
public struct ConcurrencyLimit: Sendable, Equatable {
    public private(set) var limit: Double
    public let maximum: Double
    /// Requests handed out so far; a ticket is the number a request started with.
    public private(set) var issued: UInt64 = 0
    /// Tickets below this started before the last halving.
    private var halvedAt: UInt64 = 0

    public init(initial: Int = 4, maximum: Int = 32) {
        self.maximum = Double(max(1, maximum))
        self.limit = min(Double(max(1, initial)), self.maximum)
    }

    /// Requests that may be in flight now.
    public var permits: Int { Int(limit) }

    public mutating func issue() -> UInt64 {
        issued += 1
        return issued
    }

    /// +1 per window of successes: +1/limit each.
    public mutating func succeeded() {
        limit = min(maximum, limit + 1 / limit)
    }

    public mutating func rateLimited(ticket: UInt64) {
        guard ticket > halvedAt else { return }
        limit = max(1, (limit / 2).rounded(.down))
        halvedAt = issued
    }
}
