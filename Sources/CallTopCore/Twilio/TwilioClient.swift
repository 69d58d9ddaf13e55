import Foundation
import Logging

/// The Twilio REST client: calls and recordings of the 2010-04-01 API, and
/// recording media, over libcurl. Credentials go to the configured host only.
public final class TwilioClient: Sendable {
    public let host: TwilioHost
    public let accountSid: String
    let credentials: Credentials
    let pool: SessionPool
    static let maxRedirects = 3

    public init(host: TwilioHost, credentials: Credentials, timeouts: CurlSession.Timeouts = CurlSession.Timeouts()) {
        self.host = host
        self.credentials = credentials
        self.accountSid = credentials.accountSid
        self.pool = SessionPool(timeouts: timeouts)
    }

    public var accountPath: String { "/2010-04-01/Accounts/\(accountSid)" }

    // MARK: API documents

    /// GET a JSON document at a URI relative to the configured host.
    public func getJSON<T: Decodable>(_ uri: String, as type: T.Type = T.self) async throws(TwilioError) -> T {
        let url = host.resolve(uri)
        let session = pool.acquire()
        defer { pool.release(session) }
        let (head, body): (HTTPResponseHead, Data)
        do {
            (head, body) = try await session.getData(url, userPassword: credentials.basicUserPassword)
        } catch {
            throw .transport(error, host: host.hostName)
        }
        guard head.status == 200 else {
            let parsed = TwilioErrorBody.parse(body)
            CallTopMetrics.twilioAPIError(status: head.status, code: parsed?.code)
            throw .http(status: head.status, code: parsed?.code, message: parsed?.message, host: host.hostName)
        }
        do {
            return try JSONDecoder().decode(T.self, from: body)
        } catch {
            throw .decoding("\(T.self) from \(uri.split(separator: "?").first ?? ""): \(Self.describe(error))")
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

    /// GET recording media. Redirects are followed by hand: with credentials
    /// only back to the configured host, without them only to an https host,
    /// and never more than three times. `onHead`/`onBody` see the final response.
    public func getMedia(
        _ url: String,
        onHead: @escaping @Sendable (HTTPResponseHead) -> Void,
        onBody: @escaping @Sendable (UnsafeRawBufferPointer) -> Bool
    ) async throws(TwilioError) -> HTTPResponseHead {
        var current = url
        for _ in 0...Self.maxRedirects {
            let authorised = host.owns(current)
            let isRedirect = RedirectFlag()
            let session = pool.acquire()
            defer { pool.release(session) }
            let head: HTTPResponseHead
            do {
                head = try await session.get(
                    current, userPassword: authorised ? credentials.basicUserPassword : nil,
                    onHead: { head in
                        isRedirect.set((300...399).contains(head.status))
                        if !isRedirect.value { onHead(head) }
                    },
                    onBody: { chunk in isRedirect.value ? true : onBody(chunk) })
            } catch {
                throw .transport(error, host: URLComponents(string: current)?.host ?? host.hostName)
            }
            guard (300...399).contains(head.status) else {
                if head.status >= 400 { CallTopMetrics.twilioAPIError(status: head.status, code: nil) }
                return head
            }
            guard let location = head.location else {
                throw .http(status: head.status, code: nil, message: "redirect without Location", host: host.hostName)
            }
            guard let next = TwilioHost.redirectTarget(location, from: current) else {
                throw .redirectRefused("redirect to an unreadable location from \(host.hostName)")
            }
            let nextHost = URLComponents(string: next)?.host ?? "?"
            if !host.owns(next) && URLComponents(string: next)?.scheme?.lowercased() != "https" {
                throw .redirectRefused("redirect from \(host.hostName) to \(nextHost) refused: credentials go only to \(host.hostName), and an off-host redirect is followed only to https (without credentials)")
            }
            current = next
        }
        throw .redirectRefused("more than \(Self.maxRedirects) redirects from \(host.hostName)")
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
