import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// An answer before it becomes a Hummingbird `Response`, with what the
/// request log needs to know about it.
struct SimulatorReply {
    enum Body {
        case text(String)
        case bytes(ByteBuffer)
        /// Announces the full length, sends about half, then drops the connection.
        case truncated(ByteBuffer)
        case slow(ByteBuffer, bytesPerSecond: Int)
    }

    var status: Int
    var headers: [(String, String)] = []
    var body: Body = .text("")
    var recordingSid: String?
    var isMedia = false
    var scenario: String?

    static func error(_ e: TwilioErrorPayload, json: Bool) -> SimulatorReply {
        var reply = SimulatorReply(status: e.status)
        if json {
            reply.headers = [("Content-Type", "application/json")]
            reply.body = .text(e.json)
        } else {
            reply.headers = [("Content-Type", "application/xml")]
            reply.body = .text(e.xml)
        }
        if e.status == 401 {
            reply.headers.append(("WWW-Authenticate", "Basic realm=\"Twilio API\""))
        }
        return reply
    }

    static func json(_ value: JSONValue) -> SimulatorReply {
        SimulatorReply(status: 200, headers: [("Content-Type", "application/json")], body: .text(value.serialized()))
    }
}

struct TruncatedOnPurpose: Error {}

enum MediaFormat {
    case mp3, wav

    var contentType: String { self == .mp3 ? "audio/mpeg" : "audio/x-wav" }
    var fileExtension: String { self == .mp3 ? "mp3" : "wav" }
}

extension TwilioSimulator {
    // MARK: Listener entry points

    func respondAPI(_ request: Request) async -> Response {
        let (started, concurrent) = log.withLock { state -> (UInt64, Int) in
            state.inFlight += 1
            state.requestNumber += 1
            state.peakInFlight = max(state.peakInFlight, state.inFlight)
            return (state.requestNumber, state.inFlight)
        }
        let path = request.uri.path
        let credential = classify(request.headers[.authorization])
        // Over the account's concurrency limit: refused at once, without holding a slot.
        if let cap = config.maxConcurrent, concurrent > cap {
            log.withLock { $0.inFlight -= 1 }
            await simulateLatency(started)
            var reply = SimulatorReply.error(.tooManyRequests, json: path.hasSuffix(".json"))
            reply.headers.append(("Twilio-Concurrent-Requests", String(concurrent)))
            reply.scenario = "max_concurrent"
            record(request, reply, credential: credential, listener: "api")
            return response(reply, requestNumber: started)
        }
        defer { log.withLock { $0.inFlight -= 1 } }
        await simulateLatency(started)
        let reply: SimulatorReply
        do {
            reply = try route(request.method, path: path, query: request.uri.query, credential: credential)
        } catch {
            reply = .error(TwilioErrorPayload(status: 500, code: 20500, message: "Internal Server Error: \(error)"), json: path.hasSuffix(".json"))
        }
        record(request, reply, credential: credential, listener: "api")
        return response(reply, requestNumber: started)
    }

    /// The configured round trip, ± 10 %, the same for the same request number and seed.
    private func simulateLatency(_ requestNumber: UInt64) async {
        guard config.latencyMs > 0 else { return }
        let spread = Double(DeterministicRandom.mix(config.seed ^ requestNumber) % 2001) / 1000 - 1  // -1 ... 1
        let ms = Double(config.latencyMs) * (1 + 0.1 * spread)
        try? await Task.sleep(for: .milliseconds(Int(ms.rounded())))
    }

    func respondOffhost(_ request: Request) async -> Response {
        let credential = classify(request.headers[.authorization])
        let reply = (try? routeOffhost(request.method, path: request.uri.path, query: request.uri.query))
            ?? SimulatorReply(status: 500, headers: [("Content-Type", "application/xml")], body: .text("<Error><Code>InternalError</Code></Error>"))
        record(request, reply, credential: credential, listener: "offhost")
        return response(reply, requestNumber: nil)
    }

    // MARK: Auth

    func classify(_ header: String?) -> RecordedRequest.Credential {
        guard let header else { return .none }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic",
            let data = Data(base64Encoded: String(parts[1]).trimmingCharacters(in: .whitespaces))
        else { return .invalid }
        let decoded = String(decoding: data, as: UTF8.self)
        guard let colon = decoded.firstIndex(of: ":") else { return .invalid }
        let user = String(decoded[..<colon])
        let password = String(decoded[decoded.index(after: colon)...])
        if user == config.accountSid, password == config.authToken { return .accountAuthToken }
        if user == config.apiKeySid, password == config.apiKeySecret { return .apiKey }
        return .invalid
    }

    // MARK: Routing

    func route(_ method: HTTPRequest.Method, path: String, query: String?, credential: RecordedRequest.Credential) throws -> SimulatorReply {
        let rt = try runtime()
        let json = path.hasSuffix(".json")
        if rt.scenarios.wrongCredentialsEverywhere {
            var reply = SimulatorReply.error(.authenticate, json: json)
            reply.scenario = "wrong_credentials"
            return reply
        }
        guard credential == .accountAuthToken || credential == .apiKey else {
            return .error(.authenticate, json: json)
        }
        guard method == .get else { return .error(.methodNotAllowed, json: json) }

        let prefix = "/2010-04-01/Accounts/"
        guard path.hasPrefix(prefix) else { return .error(.notFound(path), json: json) }
        let segments = path.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        // A path built by hand with another account's SID: Twilio answers 404, not 401.
        guard segments.count >= 2, segments[0] == config.accountSid else { return .error(.notFound(path), json: json) }
        let q = QueryParameters(query)
        let rest = Array(segments.dropFirst())
        let notFound = SimulatorReply.error(.notFound(path), json: json)

        let isList = rest.last?.hasSuffix("s.json") == true
        if isList, let fault = pageFault(rt) { return fault }

        switch rest.count {
        case 1 where rest[0] == "Calls.json":
            return pageFaults(listCalls(q, path: path, rt), q: q, rt)
        case 1 where rest[0] == "Recordings.json":
            return pageFaults(listRecordings(q, path: path, callIndex: nil, rt), q: q, rt)
        case 2 where rest[0] == "Calls":
            guard rest[1].hasSuffix(".json"), let i = rt.generator.callIndex(ofSid: String(rest[1].dropLast(5))) else { return notFound }
            return .json(TwilioPayloads.call(rt.generator.call(i), accountSid: config.accountSid))
        case 2 where rest[0] == "Recordings":
            return recordingResource(rest[1], callSid: nil, path: path, query: q, rt) ?? notFound
        case 3 where rest[0] == "Calls" && rest[2] == "Recordings.json":
            guard let i = rt.generator.callIndex(ofSid: rest[1]) else { return notFound }
            return listRecordings(q, path: path, callIndex: i, rt)
        case 4 where rest[0] == "Calls" && rest[2] == "Recordings":
            return recordingResource(rest[3], callSid: rest[1], path: path, query: q, rt) ?? notFound
        default:
            return notFound
        }
    }

    /// List pages that fail outright: over the account's concurrency limit, or a flaky backend.
    private func pageFault(_ rt: Runtime) -> SimulatorReply? {
        let scenarios = rt.scenarios.forAll
        let number = log.withLock { state -> Int in
            state.listRequests += 1
            return state.listRequests
        }
        if let times = scenarios.lastCount(of: "pages_rate_limited"), take("pages_rate_limited", "pages", limit: times) {
            var reply = SimulatorReply.error(.tooManyRequests, json: true)
            reply.headers.append(("Twilio-Concurrent-Requests", String(max(1, log.withLock { $0.inFlight }))))
            reply.scenario = "pages_rate_limited"
            return reply
        }
        if number > 1, let times = scenarios.lastCount(of: "pages_flaky"), take("pages_flaky", "pages", limit: times) {
            var reply = SimulatorReply.error(.serviceUnavailable, json: true)
            reply.scenario = "pages_flaky"
            return reply
        }
        return nil
    }

    /// Pages that arrive but are wrong: an unreadable item, or links that loop.
    private func pageFaults(_ reply: SimulatorReply, q: QueryParameters, _ rt: Runtime) -> SimulatorReply {
        guard reply.status == 200, case .text(let text) = reply.body else { return reply }
        let scenarios = rt.scenarios.forAll
        var edited = text
        let isFirstPage = q["PageToken"] == nil && (q["Page"] ?? "0") == "0"
        if scenarios.contains(.pageMalformed), isFirstPage, let range = edited.range(of: "\"recordings\": ["),
           edited[range.upperBound...].first != "]" {
            edited.insert(contentsOf: "{\"sid\": \"RE-not-a-sid\", \"status\": \"completed\", \"duration\": \"1e999\"}, ", at: range.upperBound)
        }
        if scenarios.contains(.pageLoop), !isFirstPage,
           let first = edited.range(of: "\"first_page_uri\": \"")?.upperBound,
           let firstEnd = edited[first...].firstIndex(of: "\""),
           let next = edited.range(of: "\"next_page_uri\": ")?.upperBound {
            let firstURI = String(edited[first..<firstEnd])
            let nextEnd = edited[next...].firstIndex(of: ",") ?? edited.endIndex
            edited.replaceSubrange(next..<nextEnd, with: "\"\(firstURI)\"")
        }
        guard edited != text else { return reply }
        var changed = reply
        changed.body = .text(edited)
        changed.scenario = scenarios.contains(.pageLoop) ? "page_loop" : "page_malformed"
        return changed
    }

    /// `RE….json` (metadata) or `RE….mp3` / `RE….wav` / `RE…` (media).
    private func recordingResource(_ last: String, callSid: String?, path: String, query: QueryParameters, _ rt: Runtime) -> SimulatorReply? {
        let sid: String
        let format: MediaFormat?
        if last.hasSuffix(".json") {
            (sid, format) = (String(last.dropLast(5)), nil)
        } else if last.hasSuffix(".mp3") {
            (sid, format) = (String(last.dropLast(4)), .mp3)
        } else if last.hasSuffix(".wav") {
            (sid, format) = (String(last.dropLast(4)), .wav)
        } else {
            (sid, format) = (last, .wav)
        }
        guard let seed = rt.generator.recording(sid: sid), callSid == nil || callSid == seed.callSid else { return nil }
        let scenarios = rt.scenarios.scenarios(for: seed.sid)
        let json = format == nil
        if scenarios.contains(.wrongCredentials) {
            var reply = SimulatorReply.error(.authenticate, json: json)
            reply.scenario = "wrong_credentials"
            reply.recordingSid = seed.sid
            reply.isMedia = !json
            return reply
        }
        var reply: SimulatorReply
        if let format {
            reply = media(seed, format: format, query: query, scenarios: scenarios, path: path, rt)
            reply.isMedia = true
        } else {
            let (status, scenario) = metadataStatus(seed, scenarios: scenarios, consume: true)
            let view = recordingView(seed, status: status, scenarios: scenarios)
            reply = .json(callSid == nil ? TwilioPayloads.accountRecording(view) : TwilioPayloads.callRecording(view))
            reply.scenario = scenario
        }
        reply.recordingSid = seed.sid
        return reply
    }

    /// Lists show the state without using up `not_ready` tries; fetches and media requests use them.
    func metadataStatus(_ seed: RecordingSeed, scenarios: [Scenario], consume: Bool) -> (String, String?) {
        if scenarios.contains(.absent) { return ("absent", "absent") }
        if let (status, _) = encryptionStatus(seed, scenarios), status == "failed" { return (status, "encrypted_unstored") }  // #15
        if let tries = scenarios.lastCount(of: "not_ready") {
            let pending = consume ? take("not_ready", seed.sid, limit: tries) : used("not_ready", seed.sid) < tries
            if pending { return ("processing", "not_ready") }
        }
        return ("completed", nil)
    }

    private func media(
        _ seed: RecordingSeed, format: MediaFormat, query: QueryParameters, scenarios: [Scenario], path: String, _ rt: Runtime
    ) -> SimulatorReply {
        func fail(_ e: TwilioErrorPayload, _ scenario: String?) -> SimulatorReply {
            var reply = SimulatorReply.error(e, json: false)
            reply.scenario = scenario
            return reply
        }
        if scenarios.contains(.absent) { return fail(.notFound(path), "absent") }
        if let tries = scenarios.lastCount(of: "not_ready"), take("not_ready", seed.sid, limit: tries) {
            return fail(.notFound(path), "not_ready")
        }
        var stereo = false
        if let requested = query["RequestedChannels"] {
            guard requested == "1" || requested == "2" else { return fail(.invalidParameter("RequestedChannels", requested), nil) }
            if requested == "2" {
                guard seed.channels == 2 else {
                    return fail(TwilioErrorPayload(status: 400, code: 16113, message: "Dual-channel media was requested for a recording that has a single channel"), nil)
                }
                stereo = true
            }
        }
        if let times = scenarios.lastCount(of: "rate_limited"), take("rate_limited", seed.sid, limit: times) {
            var reply = fail(.tooManyRequests, "rate_limited")
            let inFlight = log.withLock { $0.inFlight }
            reply.headers.append(("Twilio-Concurrent-Requests", String(max(1, inFlight))))
            return reply
        }
        if let times = scenarios.lastCount(of: "flaky"), take("flaky", seed.sid, limit: times) {
            return fail(.serviceUnavailable, "flaky")
        }
        if let reply = encryptedMedia(seed, format: format, path: path, scenarios: scenarios,
                                      wav: { audio(seed, format: .wav, stereo: stereo, rt) }) { return reply }  // #15
        if scenarios.contains(.xmlError) {
            // 200 with an audio Content-Type: only a downloader that looks at the
            // first bytes notices it got an error document, not audio.
            let e = TwilioErrorPayload(status: 404, code: 20404, message: "The requested resource \(path) was not found")
            return SimulatorReply(status: 200, headers: [("Content-Type", format.contentType)], body: .text(e.xml), scenario: "xml_error")
        }
        if scenarios.contains(.redirectOffhost) {
            var location = "\(offhostBaseURL)/media/\(seed.sid).\(format.fileExtension)?"
            if stereo { location += "RequestedChannels=2&" }
            location += "Expires=\(Int(config.now.timeIntervalSince1970) + 3600)&Signature=" + hex(DeterministicRandom.mix(UInt64(seed.sid.hashValueStable)), digits: 16)
            return SimulatorReply(
                status: 302, headers: [("Location", location), ("Content-Type", "text/html")],
                body: .text(""), scenario: "redirect_offhost")
        }
        let bytes = audio(seed, format: format, stereo: stereo, rt)
        var reply = SimulatorReply(status: 200, headers: [("Content-Type", format.contentType)], body: .bytes(bytes))
        if let times = scenarios.lastCount(of: "truncated"), take("truncated", seed.sid, limit: times) {
            reply.body = .truncated(bytes)
            reply.scenario = "truncated"
        } else if let rate = scenarios.lastCount(of: "slow") {
            reply.body = .slow(bytes, bytesPerSecond: rate)
            reply.scenario = "slow"
        }
        return reply
    }

    func audio(_ seed: RecordingSeed, format: MediaFormat, stereo: Bool, _ rt: Runtime) -> ByteBuffer {
        let clip = rt.clips[seed.clipIndex]
        switch (format, stereo) {
        case (.mp3, true): return clip.stereoMp3 ?? clip.monoMp3
        case (.wav, true): return clip.stereoWav ?? clip.monoWav
        case (.mp3, false): return clip.monoMp3
        case (.wav, false): return clip.monoWav
        }
    }

    /// The off-host listener stands in for a storage bucket: it serves the
    /// audio to anyone, and the log shows whether Basic credentials followed the redirect.
    func routeOffhost(_ method: HTTPRequest.Method, path: String, query: String?) throws -> SimulatorReply {
        let rt = try runtime()
        let name = path.split(separator: "/").last.map(String.init) ?? ""
        let format: MediaFormat? = name.hasSuffix(".mp3") ? .mp3 : name.hasSuffix(".wav") ? .wav : nil
        guard method == .get, path.hasPrefix("/media/"), let format,
            let seed = rt.generator.recording(sid: String(name.dropLast(4)))
        else {
            return SimulatorReply(status: 404, headers: [("Content-Type", "application/xml")], body: .text("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>"))
        }
        let stereo = QueryParameters(query)["RequestedChannels"] == "2" && seed.channels == 2
        return SimulatorReply(
            status: 200, headers: [("Content-Type", format.contentType)],
            body: .bytes(audio(seed, format: format, stereo: stereo, rt)), recordingSid: seed.sid, isMedia: true)
    }

    // MARK: Response plumbing

    private func record(_ request: Request, _ reply: SimulatorReply, credential: RecordedRequest.Credential, listener: String) {
        let entry = RecordedRequest(
            method: request.method.rawValue, path: request.uri.path, query: request.uri.query,
            authorized: credential == .accountAuthToken || credential == .apiKey,
            credential: credential, hadAuthorizationHeader: request.headers[.authorization] != nil,
            status: reply.status, listener: listener, recordingSid: reply.recordingSid,
            isMedia: reply.isMedia, scenario: reply.scenario)
        log.withLock { $0.requests.append(entry) }
    }

    private func response(_ reply: SimulatorReply, requestNumber: UInt64?) -> Response {
        var headers = HTTPFields()
        for (name, value) in reply.headers {
            if let field = HTTPField.Name(name) { headers.append(HTTPField(name: field, value: value)) }
        }
        if let requestNumber, let field = HTTPField.Name("Twilio-Request-Id") {
            let id = "RQ" + hex(DeterministicRandom.mix(config.seed ^ requestNumber), digits: 16)
                + hex(DeterministicRandom.mix(requestNumber), digits: 16)
            headers.append(HTTPField(name: field, value: id))
        }
        let status = HTTPResponse.Status(code: reply.status)
        switch reply.body {
        case .text(let text):
            return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        case .bytes(let bytes):
            return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: bytes))
        case .truncated(let bytes):
            return Response(
                status: status, headers: headers,
                body: ResponseBody(contentLength: bytes.readableBytes) { writer in
                    try await writer.write(bytes.getSlice(at: bytes.readerIndex, length: bytes.readableBytes / 2)!)
                    // Throwing mid-body makes the server drop the connection with
                    // bytes still owed, as a reset upstream connection would.
                    throw TruncatedOnPurpose()
                })
        case .slow(let bytes, let rate):
            return Response(
                status: status, headers: headers,
                body: ResponseBody(contentLength: bytes.readableBytes) { writer in
                    let tick = 100  // milliseconds
                    let chunk = max(1, rate * tick / 1000)
                    var offset = 0
                    while offset < bytes.readableBytes {
                        let length = min(chunk, bytes.readableBytes - offset)
                        try await writer.write(bytes.getSlice(at: bytes.readerIndex + offset, length: length)!)
                        offset += length
                        if offset < bytes.readableBytes { try await Task.sleep(for: .milliseconds(tick)) }
                    }
                    try await writer.finish(nil)
                })
        }
    }
}

extension [Scenario] {
    /// The N of the last scenario with this name (targeted rules come last, so they win).
    func lastCount(of name: String) -> Int? {
        last { $0.name == name }?.count
    }
}
