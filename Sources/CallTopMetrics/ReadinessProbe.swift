import CallTopCore
import Foundation
import Synchronization

/// `/readyz`: the store answers and the Twilio host can be reached (any HTTP
/// answer from it counts; no credentials are sent). The Twilio check is
/// cached briefly so a scraping load balancer does not become traffic to Twilio.
public final class ReadinessProbe: Sendable {
    public struct Result: Sendable, Equatable {
        public var ready: Bool
        public var lines: [String]
    }

    let store: any CallStore
    let apiBaseURL: String
    let cacheSeconds: TimeInterval
    private let cached = Mutex<(at: Date, ok: Bool, line: String)?>(nil)

    public init(store: any CallStore, apiBaseURL: String, cacheSeconds: TimeInterval = 10) {
        self.store = store
        self.apiBaseURL = apiBaseURL
        self.cacheSeconds = cacheSeconds
    }

    public func check(now: Date = Date()) async -> Result {
        var lines: [String] = []
        var ready = true
        do {
            try store.ping()
            lines.append("ok   store")
        } catch {
            ready = false
            lines.append("FAIL store: \(error)")
        }
        let twilio = await twilioReachable(now: now)
        ready = ready && twilio.ok
        lines.append(twilio.line)
        return Result(ready: ready, lines: lines)
    }

    private func twilioReachable(now: Date) async -> (ok: Bool, line: String) {
        if let c = cached.withLock({ $0 }), now.timeIntervalSince(c.at) < cacheSeconds { return (c.ok, c.line) }
        var timeouts = CurlSession.Timeouts()
        timeouts.connectSeconds = 3
        timeouts.lowSpeedSeconds = 5
        let host = URLComponents(string: apiBaseURL)?.host ?? apiBaseURL
        let result: (Bool, String)
        do {
            let (head, _) = try await CurlSession(timeouts: timeouts).getData(apiBaseURL + "/", userPassword: nil, accept: nil)
            result = (true, "ok   twilio: \(host) answered HTTP \(head.status)")
        } catch {
            result = (false, "FAIL twilio: \(host): \(error)")
        }
        cached.withLock { $0 = (now, result.0, result.1) }
        return result
    }
}
