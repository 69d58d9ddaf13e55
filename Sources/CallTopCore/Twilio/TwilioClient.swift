import Foundation
import Logging

/// The Twilio REST client: calls and recordings of the 2010-04-01 API, and
/// recording media, over libcurl. Credentials go to the configured host only.
public final class TwilioClient: Sendable {
    public let host: TwilioHost
    public let accountSid: String
    let credentials: Credentials
    let pool: SessionPool
    let retry: RequestRetry
    let logger: Logger?
    let sleep: @Sendable (TimeInterval) async -> Void
    let jitter: @Sendable () -> Double
    /// Reads a Retry-After given as a date against it.
    let clock: any WallClock
    /// Requests to this account in flight at once, adapted to its concurrency limit.
    public let gate: AccountGate
    /// Media GETs answered 429 that are asked again at once through the gate before the attempt reports it.
    static let rateLimitRetries = 2

    public init(host: TwilioHost, credentials: Credentials, timeouts: CurlSession.Timeouts = CurlSession.Timeouts(),
                retry: RequestRetry = RequestRetry(), maxConcurrency: Int = 32, gate: AccountGate? = nil, logger: Logger? = nil,
                sleep: @escaping @Sendable (TimeInterval) async -> Void = { try? await Task.sleep(for: .seconds($0)) },
                jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }, clock: any WallClock = SystemClock()) {
        self.clock = clock
        self.host = host
        self.credentials = credentials
        self.accountSid = credentials.accountSid
        self.pool = SessionPool(timeouts: timeouts)
        self.retry = retry
        // Keyed by the base URL, port included: two simulators on one loopback address are two accounts' hosts.
        self.gate = gate ?? AccountGate.shared(account: credentials.accountSid, host: host.baseURL, maximum: maxConcurrency)
        self.logger = logger
        self.sleep = sleep
        self.jitter = jitter
    }

    public var accountPath: String { "/2010-04-01/Accounts/\(accountSid)" }

    // MARK: API documents

    /// GET a JSON document at a URI relative to the configured host, repeating
    /// rate-limited, 5xx and network failures on `retry`'s schedule.
    public func getJSON<T: Decodable>(_ uri: String, as type: T.Type = T.self) async throws(TwilioError) -> T {
        var failures = 0
        while true {
            let failure: RequestFailure
            do {
                return try await getJSONOnce(uri, as: T.self)
            } catch {
                failure = error
            }
            let error = failure.error
            failures += 1
            guard !Task.isCancelled,
                  case .retry(let delay) = retry.verdict(for: error, retryAfter: failure.retryAfter, failures: failures, unit: jitter(), now: clock.now())
            else { throw error }
            let path = uri.split(separator: "?").first.map(String.init) ?? uri
            logger?.warning("\(error): try \(failures + 1) of \(retry.schedule.maxAttempts) for \(path) in \(String(format: "%.1f", delay)) s")
            await sleep(delay)
        }
    }

    private func getJSONOnce<T: Decodable>(_ uri: String, as type: T.Type) async throws(RequestFailure) -> T {
        try await gate.run({ () async throws(RequestFailure) -> T in try await getJSONUngated(uri, as: T.self) }) { result in
            switch result {
            case .success: return .succeeded
            case .failure(let f): return Self.outcome(of: f.error, accountCount: f.accountCount)
            }
        }
    }

    /// How a failed request counts for the concurrency limit: a 429 lowers
    /// it, an answer of any other kind shows the account coping.
    static func outcome(of error: TwilioError, accountCount: String? = nil) -> AccountGate.Outcome {
        switch error {
        case .http(429, _, _, _): return .refused(accountCount: accountCount)
        case .http, .decoding: return .succeeded
        case .transport, .redirectRefused: return .other
        }
    }

    private func getJSONUngated<T: Decodable>(_ uri: String, as type: T.Type) async throws(RequestFailure) -> T {
        let url = host.resolve(uri)
        let session = pool.acquire()
        defer { pool.release(session) }
        let (head, body): (HTTPResponseHead, Data)
        do {
            (head, body) = try await session.getData(url, userPassword: credentials.basicUserPassword)
        } catch {
            throw RequestFailure(.transport(error, host: host.hostName), nil)
        }
        guard head.status == 200 else {
            let parsed = TwilioErrorBody.parse(body)
            CallTopMetrics.twilioAPIError(status: head.status, code: parsed?.code)
            throw RequestFailure(.http(status: head.status, code: parsed?.code, message: parsed?.message, host: host.hostName),
                                 head.headers["retry-after"], accountCount: head.headers["twilio-concurrent-requests"])
        }
        do {
            return try JSONDecoder().decode(T.self, from: body)
        } catch {
            throw RequestFailure(.decoding("\(T.self) from \(uri.split(separator: "?").first ?? ""): \(Self.describe(error))"), nil)
        }
    }

    /// One request's failure, with the Retry-After and Twilio-Concurrent-Requests headers that came with it.
    private struct RequestFailure: Error {
        var error: TwilioError
        var retryAfter: String?
        var accountCount: String?
        init(_ error: TwilioError, _ retryAfter: String?, accountCount: String? = nil) {
            self.error = error
            self.retryAfter = retryAfter
            self.accountCount = accountCount
        }
    }

    public func fetchRecording(_ sid: String) async throws(TwilioError) -> TwilioRecording {
        try await getJSON("\(accountPath)/Recordings/\(sid).json")
    }

    public func fetchCall(_ sid: String) async throws(TwilioError) -> TwilioCall {
        try await getJSON("\(accountPath)/Calls/\(sid).json")
    }

    public func callsPageURI(startedOnOrAfter day: String?, pageSize: Int) -> String {
        var uri = "\(accountPath)/Calls.json?PageSize=\(pageSize)"
        if let day { uri += "&StartTime%3E=\(day)" }
        return uri
    }

    public func recordingsPageURI(createdOnOrAfter day: String?, callSid: String? = nil, pageSize: Int) -> String {
        var uri = "\(accountPath)/Recordings.json?PageSize=\(pageSize)"
        if let callSid { uri += "&CallSid=\(callSid)" }
        if let day { uri += "&DateCreated%3E=\(day)" }
        return uri
    }

    // MARK: Media

    /// GET recording media, following redirects by `MediaRedirect`'s rules.
    /// `onHead`/`onBody` see the final response.
    public func getMedia(
        _ url: String,
        timeLimit: TimeInterval? = nil,
        onHead: @escaping @Sendable (HTTPResponseHead) -> Void,
        onBody: @escaping @Sendable (UnsafeRawBufferPointer) -> Bool
    ) async throws(TwilioError) -> HTTPResponseHead {
        var (current, withCredentials, hops) = (url, host.owns(url), 0)
        while true {
            let head = try await getMediaHop(current, withCredentials: withCredentials, timeLimit: timeLimit, onHead: onHead, onBody: onBody)
            guard MediaRedirect.isRedirect(head.status) else { return head }
            hops += 1
            (current, withCredentials) = try MediaRedirect.next(after: head, from: current, hops: hops, host: host).get()
        }
    }

    /// One media request, a redirect not followed: a 3xx comes back as its head
    /// without reaching `onHead`/`onBody`. Credentials go only to the configured host.
    func getMediaHop(
        _ url: String,
        withCredentials: Bool,
        timeLimit: TimeInterval?,
        onHead: @escaping @Sendable (HTTPResponseHead) -> Void,
        onBody: @escaping @Sendable (UnsafeRawBufferPointer) -> Bool
    ) async throws(TwilioError) -> HTTPResponseHead {
        let authorised = withCredentials && host.owns(url)
        var rateLimitedAgain = 0
        while true {
            // A 429 (20429) has just halved the gate: asking again through it, after a short pause, costs the
            // account less than a recording parked for a backoff, and keeps a backlog at the account's pace.
            let swallow429 = authorised && rateLimitedAgain < Self.rateLimitRetries
            let isRedirect = RedirectFlag()
            let session = pool.acquire()
            defer { pool.release(session) }
            let head: HTTPResponseHead
            // Only requests to Twilio count against the account's limit; a storage redirect does not.
            let ticket = authorised ? await gate.acquire() : nil
            do {
                head = try await session.get(
                    url, userPassword: authorised ? credentials.basicUserPassword : nil, timeLimit: timeLimit,
                    onHead: { head in
                        isRedirect.set(MediaRedirect.isRedirect(head.status) || (swallow429 && head.status == 429))
                        if !isRedirect.value { onHead(head) }
                    },
                    onBody: { chunk in isRedirect.value ? true : onBody(chunk) })
            } catch {
                if let ticket { gate.release(ticket, .other) }
                throw .transport(error, host: URLComponents(string: url)?.host ?? host.hostName)
            }
            if let ticket { gate.release(ticket, .of(head)) }
            if swallow429, head.status == 429 {
                rateLimitedAgain += 1
                CallTopMetrics.twilioAPIError(status: 429, code: 20429)
                await sleep(0.05 + 0.2 * jitter())
                continue
            }
            if head.status >= 400 { CallTopMetrics.twilioAPIError(status: head.status, code: nil) }
            return head
        }
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let c): return c.debugDescription + " at " + path(c.codingPath)
        case DecodingError.keyNotFound(let key, let c): return "missing \(key.stringValue) at " + path(c.codingPath)
        case DecodingError.typeMismatch(_, let c): return c.debugDescription + " at " + path(c.codingPath)
        case DecodingError.valueNotFound(_, let c): return c.debugDescription + " at " + path(c.codingPath)
        default: return "\(error)"
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        keys.isEmpty ? "top level" : keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}

/// Set from the transfer's callbacks (on the session's queue), read after it ends.
private final class RedirectFlag: @unchecked Sendable {
    private(set) var value = false
    func set(_ v: Bool) { value = v }
}
