import Synchronization

/// Admits requests to one Twilio account no faster than its `ConcurrencyLimit`
/// allows. Every request of a process to that account goes through the same
/// gate (the CLI, the dashboard's `R`, `serve`), so the limit is the account's,
/// not each caller's.
public final class AccountGate: Sendable {
    public enum Outcome: Sendable, Equatable {
        case succeeded, rateLimited, other
        /// A 429 that came with Twilio's `Twilio-Concurrent-Requests` count.
        case rateLimitedAt(accountInFlight: Int)

        /// A response's head: a 429 lowers the limit, any other answer shows the account coping.
        public static func of(_ head: HTTPResponseHead) -> Outcome {
            guard head.status == 429 else { return .succeeded }
            return refused(accountCount: head.headers["twilio-concurrent-requests"])
        }

        /// A 429, with the account's count when the header held a number.
        public static func refused(accountCount header: String?) -> Outcome {
            guard let count = header.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }), count > 0 else { return .rateLimited }
            return .rateLimitedAt(accountInFlight: count)
        }
    }

    public struct Ticket: Sendable { fileprivate let number: UInt64 }

    private struct State {
        var limit: ConcurrencyLimit
        var inFlight = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>

    public init(limit: ConcurrencyLimit = ConcurrencyLimit()) {
        state = Mutex(State(limit: limit))
    }

    /// One gate per account and API base URL (scheme, host, port) in this process.
    /// The first caller for an account sets its maximum.
    public static func shared(account: String, host: String, maximum: Int,
                              tuning: ConcurrencyLimit.Tuning = ConcurrencyLimit.Tuning()) -> AccountGate {
        registry.withLock { gates in
            let key = "\(account)@\(host)"
            if let gate = gates[key] { return gate }
            let gate = AccountGate(limit: ConcurrencyLimit(initial: min(4, maximum), maximum: maximum, tuning: tuning))
            gates[key] = gate
            return gate
        }
    }

    private static let registry = Mutex<[String: AccountGate]>([:])

    public var snapshot: (permits: Int, inFlight: Int) { state.withLock { ($0.limit.permits, $0.inFlight) } }
    public var limit: ConcurrencyLimit { state.withLock { $0.limit } }

    public func acquire() async -> Ticket {
        while true {
            let ticket: Ticket? = state.withLock { s in
                guard s.inFlight < s.limit.permits else { return nil }
                s.inFlight += 1
                return Ticket(number: s.limit.issue())
            }
            if let ticket { return ticket }
            await withCheckedContinuation { continuation in
                let admitNow = state.withLock { s -> Bool in
                    if s.inFlight < s.limit.permits { return true }
                    s.waiters.append(continuation)
                    return false
                }
                if admitNow { continuation.resume() }
            }
        }
    }

    public func release(_ ticket: Ticket, _ outcome: Outcome) {
        let wake: [CheckedContinuation<Void, Never>] = state.withLock { s in
            switch outcome {
            case .succeeded: s.limit.succeeded()
            case .rateLimited: s.limit.rateLimited(ticket: ticket.number)
            case .rateLimitedAt(let account): s.limit.rateLimited(ticket: ticket.number, accountInFlight: account, ownInFlight: s.inFlight)
            case .other: break
            }
            s.inFlight -= 1
            let room = max(0, s.limit.permits - s.inFlight)
            let woken = Array(s.waiters.prefix(room))
            s.waiters.removeFirst(woken.count)
            return woken
        }
        for continuation in wake { continuation.resume() }
    }

    /// Runs `body` under a permit; `judge` says how its result counts.
    public func run<T, E: Error>(_ body: () async throws(E) -> T, judge: (Result<T, E>) -> Outcome) async throws(E) -> T {
        let ticket = await acquire()
        let result: Result<T, E>
        do { result = .success(try await body()) } catch { result = .failure(error) }
        release(ticket, judge(result))
        return try result.get()
    }
}
