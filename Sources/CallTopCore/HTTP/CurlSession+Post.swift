import CCurl
import Foundation

extension CurlSession {
    /// The result of a small POST: status and at most the first 4 KiB of the answer.
    public struct PostResult: Sendable, Equatable {
        public var status: Int
        public var bodyPrefix: String
    }

    /// POSTs `body` to `url` with the given extra headers, for the outbound
    /// webhook. It takes no credentials at all, by design: Twilio's never go
    /// anywhere but Twilio's hosts (TWILIO.md), and the notify URL is not one.
    /// Its own easy handle (the session's is busy with GETs), no redirects, no
    /// proxy credentials, a hard `totalSeconds` limit.
    public static func post(_ url: String, body: Data, headers: [(String, String)], totalSeconds: Int = 30) async throws(TransportError) -> PostResult {
        let result: Result<PostResult, TransportError> = await withCheckedContinuation { continuation in
            postQueue.async { continuation.resume(returning: performPost(url, body: body, headers: headers, totalSeconds: totalSeconds)) }
        }
        return try result.get()
    }

    /// Deliveries go one at a time; a queue of their own keeps the blocking
    /// perform off Swift's cooperative threads.
    private static let postQueue = DispatchQueue(label: "calltop.curl.post")

    private static func performPost(_ url: String, body: Data, headers: [(String, String)], totalSeconds: Int) -> Result<PostResult, TransportError> {
        _ = calltop_curl_global_init()
        guard let handle = curl_easy_init() else { return .failure(.network("curl_easy_init failed")) }
        defer { curl_easy_cleanup(handle) }
        let sink = PostSink()
        let ctx = Unmanaged.passRetained(sink)
        defer { ctx.release() }

        var list: UnsafeMutablePointer<curl_slist>? = nil
        // No "Expect: 100-continue" round trip for small bodies.
        for line in headers.map({ "\($0.0): \($0.1)" }) + ["Expect:"] { list = curl_slist_append(list, line) }
        defer { curl_slist_free_all(list) }

        _ = calltop_curl_setopt_string(handle, CURLOPT_URL, url)
        _ = calltop_curl_setopt_long(handle, CURLOPT_POST, 1)
        applySafeDefaults(handle, connectSeconds: 10)
        _ = calltop_curl_setopt_long(handle, CURLOPT_TIMEOUT, totalSeconds)
        _ = calltop_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, list)
        _ = calltop_curl_setopt_write(handle, CURLOPT_WRITEFUNCTION, postWriteCallback)
        _ = calltop_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, ctx.toOpaque())

        let code: CURLcode = body.withUnsafeBytes { raw in
            // COPYPOSTFIELDS copies the bytes, so the pointer need not outlive this call.
            _ = calltop_curl_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(raw.count))
            _ = calltop_curl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!))
            return curl_easy_perform(handle)
        }
        var status = 0
        if calltop_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK { status = 0 }
        switch code {
        case CURLE_OK:
            return .success(PostResult(status: status, bodyPrefix: String(decoding: sink.data, as: UTF8.self)))
        case CURLE_OPERATION_TIMEDOUT:
            return .failure(.timedOut(CurlSession.message(code)))
        default:
            return .failure(.network(CurlSession.message(code)))
        }
    }
}

/// Keeps the first 4 KiB of a POST's answer (for the error message) and drops the rest.
private final class PostSink {
    var data = Data()
    func append(_ chunk: UnsafeRawBufferPointer) {
        let room = 4096 - data.count
        if room > 0 { data.append(contentsOf: chunk.prefix(room)) }
    }
}

private let postWriteCallback: calltop_curl_write_cb = { data, size, count, user in
    let total = size * count
    guard let data, let user else { return total }
    Unmanaged<PostSink>.fromOpaque(user).takeUnretainedValue().append(UnsafeRawBufferPointer(start: data, count: total))
    return total
}
