import CCurl
import Foundation

/// The head of an HTTP response: status and headers (names lower-cased).
public struct HTTPResponseHead: Sendable, Equatable {
    public var status: Int
    public var headers: [String: String]

    public var contentType: String? { headers["content-type"] }
    public var contentLength: Int64? { headers["content-length"].flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) } }
    public var location: String? { headers["location"] }
}

/// Why a transfer did not complete. `description` is safe to show: it never
/// holds credentials (libcurl's messages do not echo them).
public enum TransportError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The connection closed before the announced length arrived.
    case truncated(received: Int64, expected: Int64?)
    case timedOut(String)
    case network(String)
    /// The body sink refused the data (disk full, not audio, ...).
    case aborted(String)
    /// libcurl could not use the URL: no retry will change that.
    case badURL(String)
    /// The server's certificate is not trusted (or the CA bundle is unreadable): no retry will change
    /// that either, so it is said at once rather than after a minute of backoff.
    case untrusted(String)

    /// Worth trying again later: the network, not the request, was at fault.
    public var isTransient: Bool {
        switch self {
        case .truncated, .timedOut, .network: return true
        case .aborted, .badURL, .untrusted: return false
        }
    }

    public var description: String {
        switch self {
        case let .truncated(received, expected):
            return "connection closed after \(received) of \(expected.map(String.init) ?? "?") bytes"
        case .timedOut(let m): return "timed out: \(m)"
        case .network(let m): return "network error: \(m)"
        case .aborted(let m): return m
        case .badURL(let m): return "unusable URL: \(m)"
        case .untrusted(let m):
            return "TLS certificate not trusted: \(m) — behind a TLS-inspecting proxy or with a private CA, set SSL_CERT_FILE to its CA bundle"
        }
    }
}

/// One libcurl easy handle, reused between requests so connections are kept
/// alive. A session serves one request at a time; the blocking perform runs on
/// the session's own queue so Swift's cooperative threads never block.
public final class CurlSession: @unchecked Sendable {
    public struct Timeouts: Sendable {
        public var connectSeconds: Int = 10
        /// Abort when fewer than `lowSpeedBytes` per second arrive for `lowSpeedSeconds`.
        public var lowSpeedBytes: Int = 1
        public var lowSpeedSeconds: Int = 30
        public init() {}
    }

    private let handle: UnsafeMutableRawPointer
    private let queue: DispatchQueue
    private let timeouts: Timeouts

    private static let globalInit: Void = { _ = calltop_curl_global_init() }()

    public init(timeouts: Timeouts = Timeouts()) {
        _ = CurlSession.globalInit
        guard let h = curl_easy_init() else { fatalError("curl_easy_init failed: out of memory") }
        self.handle = h
        self.timeouts = timeouts
        self.queue = DispatchQueue(label: "calltop.curl")
    }

    deinit { curl_easy_cleanup(handle) }

    /// GET `url`. Body bytes go to `onBody` as they arrive; returning false from
    /// it aborts the transfer. `userPassword` is sent as HTTP Basic only when
    /// non-nil: the caller decides which hosts may see credentials. Redirects
    /// are never followed here.
    /// `timeLimit` bounds the whole transfer, in seconds (nil: only the stall guard).
    public func get(
        _ url: String,
        userPassword: String?,
        accept: String? = nil,
        timeLimit: TimeInterval? = nil,
        onHead: @escaping @Sendable (HTTPResponseHead) -> Void = { _ in },
        onBody: @escaping @Sendable (UnsafeRawBufferPointer) -> Bool
    ) async throws(TransportError) -> HTTPResponseHead {
        let result: Result<HTTPResponseHead, TransportError> = await withCheckedContinuation { continuation in
            queue.async {
                continuation.resume(returning: self.performBlocking(url, userPassword: userPassword, accept: accept, timeLimit: timeLimit,
                                                                    onHead: onHead, onBody: onBody))
            }
        }
        return try result.get()
    }

    /// GET into memory, for API documents (small).
    public func getData(_ url: String, userPassword: String?, accept: String? = "application/json") async throws(TransportError) -> (HTTPResponseHead, Data) {
        let box = DataBox()
        let head = try await get(url, userPassword: userPassword, accept: accept) { chunk in
            box.append(chunk)
            return box.count <= 64 << 20  // an API page is never this large: stop a runaway body
        }
        return (head, box.data)
    }

    private func performBlocking(
        _ url: String, userPassword: String?, accept: String?, timeLimit: TimeInterval?,
        onHead: @escaping @Sendable (HTTPResponseHead) -> Void,
        onBody: @escaping @Sendable (UnsafeRawBufferPointer) -> Bool
    ) -> Result<HTTPResponseHead, TransportError> {
        curl_easy_reset(handle)  // keeps the connection cache, drops every option
        let transfer = Transfer(onHead: onHead, onBody: onBody)
        let ctx = Unmanaged.passRetained(transfer)
        defer { ctx.release() }

        var headerList: UnsafeMutablePointer<curl_slist>? = nil
        if let accept { headerList = curl_slist_append(headerList, "Accept: \(accept)") }
        defer { curl_slist_free_all(headerList) }

        _ = calltop_curl_setopt_string(handle, CURLOPT_URL, url)
        _ = calltop_curl_setopt_long(handle, CURLOPT_HTTPGET, 1)
        Self.applySafeDefaults(handle, connectSeconds: timeouts.connectSeconds)
        _ = calltop_curl_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, timeouts.lowSpeedBytes)
        _ = calltop_curl_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, timeouts.lowSpeedSeconds)
        if let timeLimit, timeLimit.isFinite, timeLimit > 0 {
            _ = calltop_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(min(timeLimit, 7 * 86_400) * 1000))
        }
        // Larger reads mean fewer callbacks, writes and hash updates per megabyte (the default is 16 KiB).
        _ = calltop_curl_setopt_long(handle, CURLOPT_BUFFERSIZE, 512 << 10)
        if let userPassword {
            _ = calltop_curl_setopt_long(handle, CURLOPT_HTTPAUTH, calltop_curlauth_basic())
            _ = calltop_curl_setopt_string(handle, CURLOPT_USERPWD, userPassword)
        }
        if headerList != nil { _ = calltop_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList) }
        _ = calltop_curl_setopt_write(handle, CURLOPT_HEADERFUNCTION, curlHeaderCallback)
        _ = calltop_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, ctx.toOpaque())
        _ = calltop_curl_setopt_write(handle, CURLOPT_WRITEFUNCTION, curlWriteCallback)
        _ = calltop_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, ctx.toOpaque())

        let code = curl_easy_perform(handle)
        // Clear the credentials from the handle at once rather than at the next reset.
        if userPassword != nil { _ = calltop_curl_setopt_string(handle, CURLOPT_USERPWD, nil) }

        var status = 0
        var longValue = 0
        if calltop_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &longValue) == CURLE_OK { status = longValue }
        let head = HTTPResponseHead(status: status, headers: transfer.headers)

        switch code {
        case CURLE_OK:
            return .success(head)
        case CURLE_PARTIAL_FILE:
            return .failure(.truncated(received: transfer.received, expected: head.contentLength))
        case CURLE_WRITE_ERROR where transfer.sinkRefused:
            return .failure(.aborted(transfer.abortReason ?? "transfer stopped by the receiver"))
        case CURLE_OPERATION_TIMEDOUT:
            return .failure(.timedOut(CurlSession.message(code)))
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            return .failure(.badURL(CurlSession.message(code)))
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE:
            return .failure(.untrusted(CurlSession.message(code)))
        default:
            return .failure(.network(CurlSession.message(code)))
        }
    }

    /// What every request we make shares: no automatic redirects (credentials
    /// must not follow them), http(s) only, TLS verified, no signals (threads).
    static func applySafeDefaults(_ handle: UnsafeMutableRawPointer, connectSeconds: Int) {
        _ = calltop_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
        _ = calltop_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https")
        _ = calltop_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = calltop_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1)
        _ = calltop_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2)
        _ = calltop_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT, connectSeconds)
        _ = calltop_curl_setopt_string(handle, CURLOPT_USERAGENT, "calltop/\(CallTopVersion.current)")
        // HTTP/2 to a TLS host that offers it (ALPN), 1.1 otherwise and always for plain http. libcurl ≥ 7.62
        // defaults to this already; said here so a build against an older one asks too. Each session has its
        // own connection, so HTTP/2 saves TLS handshakes and sockets, not requests: the account's limit
        // counts requests, and every request still costs its round trip.
        if speaksHTTP2 { _ = calltop_curl_setopt_long(handle, CURLOPT_HTTP_VERSION, calltop_curl_http_version_2tls()) }
        // A private CA (TLS-inspecting proxy): for the server and for an https proxy alike.
        // The proxy itself comes from libcurl's own reading of HTTPS_PROXY/NO_PROXY.
        if let bundle = NetworkEnvironment.current.caBundle {
            _ = calltop_curl_setopt_string(handle, CURLOPT_CAINFO, bundle.path)
            _ = calltop_curl_setopt_string(handle, CURLOPT_PROXY_CAINFO, bundle.path)
        }
    }

    static let speaksHTTP2 = calltop_curl_has_http2() != 0

    static func message(_ code: CURLcode) -> String {
        guard let text = curl_easy_strerror(code) else { return "curl error \(code.rawValue)" }
        return "\(String(cString: text)) (curl \(code.rawValue))"
    }
}

/// Per-transfer state the C callbacks reach through their user-data pointer.
private final class Transfer {
    let onHead: @Sendable (HTTPResponseHead) -> Void
    let onBody: @Sendable (UnsafeRawBufferPointer) -> Bool
    var headers: [String: String] = [:]
    var statusLine = 0
    var headDelivered = false
    var received: Int64 = 0
    var sinkRefused = false
    var abortReason: String?

    init(onHead: @escaping @Sendable (HTTPResponseHead) -> Void, onBody: @escaping @Sendable (UnsafeRawBufferPointer) -> Bool) {
        self.onHead = onHead
        self.onBody = onBody
    }

    /// One header line, parsed as ASCII: names are ASCII tokens, and Foundation's trimming and
    /// Unicode `lowercased()` for every header of every response were a visible share of a backlog's CPU.
    func headerLine(_ line: String) {
        let trimmed = Self.trimmed(Substring(line))
        if trimmed.hasPrefix("HTTP/") {
            // A new response (after 100-continue, say): start over.
            headers = [:]
            statusLine = Int(trimmed.split(separator: " ").dropFirst().first ?? "") ?? 0
            return
        }
        guard let colon = trimmed.firstIndex(of: ":") else { return }
        let name = String(decoding: trimmed[..<colon].utf8.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }, as: UTF8.self)
        headers[name] = String(Self.trimmed(trimmed[trimmed.index(after: colon)...]))
    }

    private static func trimmed(_ text: Substring) -> Substring {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }
        guard let first = text.firstIndex(where: { !blank($0) }), let last = text.lastIndex(where: { !blank($0) }) else { return "" }
        return text[first...last]
    }

    func body(_ chunk: UnsafeRawBufferPointer) -> Bool {
        if !headDelivered {
            headDelivered = true
            onHead(HTTPResponseHead(status: statusLine, headers: headers))
        }
        received += Int64(chunk.count)
        if !onBody(chunk) {
            sinkRefused = true
            return false
        }
        return true
    }
}

private let curlHeaderCallback: calltop_curl_write_cb = { data, size, count, user in
    let total = size * count
    guard let data, let user else { return total }
    let transfer = Unmanaged<Transfer>.fromOpaque(user).takeUnretainedValue()
    let buffer = UnsafeRawBufferPointer(start: data, count: total)
    transfer.headerLine(String(decoding: buffer, as: UTF8.self))
    return total
}

private let curlWriteCallback: calltop_curl_write_cb = { data, size, count, user in
    let total = size * count
    guard let data, let user else { return 0 }
    let transfer = Unmanaged<Transfer>.fromOpaque(user).takeUnretainedValue()
    return transfer.body(UnsafeRawBufferPointer(start: data, count: total)) ? total : 0
}

private final class DataBox: @unchecked Sendable {
    private(set) var data = Data()
    var count: Int { data.count }
    // Only the session's queue appends; reads happen after the transfer ends.
    func append(_ chunk: UnsafeRawBufferPointer) { data.append(contentsOf: chunk) }
}

public enum CallTopVersion {
    public static let current = "0.1.0"
}
