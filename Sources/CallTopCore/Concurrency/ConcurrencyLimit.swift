/// How many requests to keep in flight to one Twilio account, found the way
/// TCP finds a link's capacity, since Twilio does not publish the limit:
///
/// - **Slow start.** Until the first 429 (20429, the account is over its
///   concurrency limit) the limit grows by one per success: it doubles per window.
/// - **Additive increase** after that, by our share of the account per window,
///   so several processes sharing one account grow their sum by about one per
///   window together instead of one each (see `rateLimited`).
/// - **Multiplicative decrease** by `decrease` (0.85, gentler than halving:
///   halving keeps a backlog at three quarters of the cap on average).
/// - **A plateau** below the limit at the last 429, as CUBIC has: growth past
///   it only probes, `probeSlowdown` times slower, so a backlog sitting at the
///   cap pays one 429 every few hundred requests, not one per window. Two
///   requests past the plateau without a 429 show the room is real (another
///   worker finished): the plateau is dropped and growth is additive again.
///
/// One overload answers several requests with 429 at once; only a 429 to a
/// request started after the last decrease lowers the limit again, so a burst counts once.
public struct ConcurrencyLimit: Sendable, Equatable {
    public struct Tuning: Sendable, Equatable {
        public var decrease: Double = 0.85
        public var slowStart = true
        public var probeSlowdown: Double = 8
        /// Read the `Twilio-Concurrent-Requests` count on a 429 (our share, the account's cap).
        public var readsAccountCount = true
        public init() {}
        /// The first version of #13: additive increase, halving, nothing else.
        public static var classicAIMD: Tuning {
            var t = Tuning()
            t.decrease = 0.5
            t.slowStart = false
            t.probeSlowdown = 1
            t.readsAccountCount = false
            return t
        }
    }

    public private(set) var limit: Double
    public let maximum: Double
    public let tuning: Tuning
    /// Requests handed out so far; a ticket is the number a request started with.
    public private(set) var issued: UInt64 = 0
    /// Tickets below this started before the last decrease.
    private var loweredAt: UInt64 = 0
    public private(set) var inSlowStart: Bool
    /// Where growth turns into probing: just below the limit that last drew a 429.
    public private(set) var plateau: Double?
    /// The part of the account's requests that were ours at the last 429 (1 when alone).
    public private(set) var share: Double = 1

    public init(initial: Int = 4, maximum: Int = 32, tuning: Tuning = Tuning()) {
        self.maximum = Double(max(1, maximum))
        self.limit = min(Double(max(1, initial)), self.maximum)
        self.tuning = tuning
        self.inSlowStart = tuning.slowStart
    }

    /// Requests that may be in flight now.
    public var permits: Int { Int(limit) }

    public mutating func issue() -> UInt64 {
        issued += 1
        return issued
    }

    public mutating func succeeded() {
        if inSlowStart {
            limit = min(maximum, limit + 1)
            return
        }
        var step = share / limit  // `share` per window of successes
        if let plateau, limit >= plateau {
            step /= tuning.probeSlowdown
            if limit >= plateau + 2 { self.plateau = nil }
        }
        limit = min(maximum, limit + step)
    }

    /// A 429 to request `ticket`. `accountInFlight` is Twilio's
    /// `Twilio-Concurrent-Requests` (the account's requests in flight, this
    /// one included); `ownInFlight` is ours to this account at that moment,
    /// this one included. Their ratio is our share of the account, which
    /// scales the additive increase, and when we hold the whole account the
    /// count is the cap itself.
    public mutating func rateLimited(ticket: UInt64, accountInFlight: Int? = nil, ownInFlight: Int? = nil) {
        guard ticket > loweredAt else { return }
        loweredAt = issued
        let before = limit
        var alone = false
        if tuning.readsAccountCount, let account = accountInFlight, account > 1, let own = ownInFlight, own > 0 {
            share = min(1, max(0.05, Double(own) / Double(account)))
            // Every request the account counted was ours. (Several clients each
            // holding the cap's worth would see `own` one short of the count.)
            alone = own >= account
        }
        if alone, let account = accountInFlight {
            // Nobody else is on the account: everything below its count fit.
            limit = min(limit, Double(account - 1))
        } else if inSlowStart {
            limit /= 2  // slow start overshoots by up to twice, as in TCP
        } else {
            limit *= tuning.decrease
        }
        limit = max(1, limit)
        inSlowStart = false
        plateau = max(1, (alone ? limit : before - share).rounded(.down))
    }
}
