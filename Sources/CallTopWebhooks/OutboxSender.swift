import CallTopCore
import Foundation
import Logging

/// Sends one outbound delivery and says how the receiver answered.
public protocol NotifyTransport: Sendable {
    /// The HTTP status, or why there was none.
    func post(url: String, body: Data, headers: [(String, String)]) async -> Result<Int, TransportError>
}

/// libcurl through the core's `CurlSession.post`: the project's HTTP client
/// already, so no second one is linked (Hummingbird has no client product).
public struct CurlNotifyTransport: NotifyTransport {
    public init() {}
    public func post(url: String, body: Data, headers: [(String, String)]) async -> Result<Int, TransportError> {
        do {
            return .success(try await CurlSession.post(url, body: body, headers: headers).status)
        } catch {
            return .failure(error)
        }
    }
}

/// Drains the store's outbox: every pending delivery is POSTed, signed, until
/// the receiver answers 2xx, with backoff between tries. State lives in the
/// store, so a restart (even after kill -9) carries on where it stopped; a
/// delivered row is never sent again.
public final class OutboxSender: Sendable {
    let store: any WebhookStore
    let url: String
    let secret: String
    let transport: any NotifyTransport
    let clock: any WallClock
    let retry: RetrySchedule
    let random: @Sendable () -> Double
    let logger: Logger
    /// A call's delivery state changed (delivered, or failed and waiting): the list's ✓ follows it.
    let onChange: @Sendable (String) -> Void

    public init(store: any WebhookStore, url: String, secret: String, transport: any NotifyTransport = CurlNotifyTransport(),
                clock: any WallClock = SystemClock(), retry: RetrySchedule = RetrySchedule(base: 1, cap: 300, maxAttempts: .max),
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }, logger: Logger,
                onChange: @escaping @Sendable (String) -> Void = { _ in }) {
        self.onChange = onChange
        self.store = store
        self.url = url
        self.secret = secret
        self.transport = transport
        self.clock = clock
        self.retry = retry
        self.random = random
        self.logger = logger
    }

    /// Sends everything due now, in order; returns how many were acknowledged.
    @discardableResult
    public func tick() async -> Int {
        let due: [OutboxDelivery]
        do { due = try store.claimDueDeliveries(now: clock.now(), limit: 8) } catch {
            logger.error("[WEBHOOK] Could not read the outbox: \(error); trying again on the next round")
            return 0
        }
        var acknowledged = 0
        var blockedCalls = Set<String>()
        for delivery in due where !blockedCalls.contains(delivery.callSid) {
            if await send(delivery) { acknowledged += 1 } else { blockedCalls.insert(delivery.callSid) }
        }
        return acknowledged
    }

    /// When the next delivery is due; a store that cannot answer means "look again soon".
    public func nextAttempt() -> Date? {
        do { return try store.nextDeliveryAttempt() } catch {
            logger.error("[WEBHOOK] Could not read the outbox: \(error)")
            return clock.now().addingTimeInterval(retry.base)
        }
    }

    private func send(_ d: OutboxDelivery) async -> Bool {
        // A slow receiver earlier in the batch may have outlasted this one's lease: send only what is still ours.
        let held = logger.noting("hold delivery \(d.callSid) v\(d.version)", otherwise: "it is sent on a later round") {
            try store.holdDelivery(d.id, now: clock.now())
        }
        guard held == true else { return false }
        let timestamp = Int(clock.now().timeIntervalSince1970)
        let headers = [
            ("Content-Type", "application/json"),
            (NotifySignature.header, NotifySignature.sign(body: d.payload, timestamp: timestamp, secret: secret)),
            (NotifySignature.timestampHeader, String(timestamp)),
            (NotifySignature.deliveryHeader, "\(d.callSid).v\(d.version)"),
        ]
        let outcome = await transport.post(url: url, body: Data(d.payload.utf8), headers: headers)
        let now = clock.now()
        let problem: String
        switch outcome {
        case .success(let status) where (200..<300).contains(status):
            do {
                try store.markDelivered(d.id, now: now)
                logger.info("[WEBHOOK] Delivered \(d.source) transcript for \(d.callSid) (version \(d.version), HTTP \(status))")
                onChange(d.callSid)
                return true
            } catch {
                // Not recorded: it will be sent again, and the delivery id lets the receiver drop the repeat.
                logger.error("[WEBHOOK] Delivered \(d.callSid) v\(d.version) but could not record it: \(error)")
                return false
            }
        case .success(let status): problem = "HTTP \(status)"
        case .failure(let error): problem = error.description
        }
        let wait = max(retry.base, retry.delay(afterFailures: d.attempts + 1, unit: random()))
        do {
            try store.markDeliveryFailed(d.id, error: problem, nextAttemptAt: now.addingTimeInterval(wait))
            onChange(d.callSid)
        } catch {
            // Unrecorded, the delivery stays due and is simply tried again on the next round.
            logger.error("[WEBHOOK] Could not record the failed delivery of \(d.callSid) v\(d.version): \(error)")
        }
        // The URL is not logged: it may carry a token of the receiver's.
        logger.warning("[WEBHOOK] Delivery of \(d.callSid) v\(d.version) failed (\(problem)); next try in \(Int(wait.rounded(.up))) s")
        return false
    }
}
