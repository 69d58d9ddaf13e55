import Foundation

/// One download attempt as a pure value, in the shape of async-http-client's
/// `HTTPConnectionPool.StateMachine`: every event is a `mutating func` that
/// returns the one action to perform next. Metadata or not, which URL, where a
/// redirect may lead and with what, whether a body is audio and whole, and what
/// Twilio's status means are all decided here; `RecordingDownloader`,
/// `TwilioClient` and the media writers only perform the actions, so every
/// path can be tested without a network.
struct DownloadAttemptMachine: Sendable {
    enum Action: Equatable, Sendable {
        case fetchMetadata(uri: String)
        /// The first media GET: make the writer, then ask.
        case fetchMedia(url: String, withCredentials: Bool)
        case followRedirect(url: String, withCredentials: Bool)
        /// The answer is a 200 that may be audio: give it a temporary file.
        case openTemporaryFile
        /// Hand the chunk to the writer.
        case writeChunk
        /// The chunk was kept (an error body): read on.
        case keepReading
        /// Stop the transfer: for this reason, or (nil) because enough of an error body is in.
        case abort(AttemptResult?)
        /// The body is whole and audio: fsync and name it.
        case commit
        /// The attempt is over: store this.
        case record(Outcome)
    }

    /// What the attempt came to, with the facts stored beside it.
    struct Outcome: Equatable, Sendable {
        var result: AttemptResult
        var httpStatus: Int?
        var twilioCode: Int?
        var bytes: Int64
        var expectedBytes: Int64?
        var file: SavedFile?
    }

    /// Log lines, in order: the downloader writes them (keeping the seed's `[OFFLINE_STT]` trail).
    enum Note: Equatable, Sendable {
        case info(String)
        case warning(String)
    }

    private enum State: Equatable, Sendable {
        case idle
        case fetchingMetadata
        /// Waiting for the answer to a media GET, `hops` redirects in.
        case requesting(url: String, hops: Int)
        case receivingError(HTTPResponseHead)
        case receivingAudio(HTTPResponseHead)
        case committing
        case finished
    }

    /// How much of a non-audio body is kept for the message.
    static let errorBodyLimit = 16 << 10
    /// Bytes that tell audio from anything else.
    static let sniffLength = 12

    let sid: String
    let callSid: String?
    let metadataURI: String
    let host: TwilioHost
    let timeLimit: DownloadTimeLimit

    private var state = State.idle
    /// The metadata the media is fetched by.
    private(set) var recording: TwilioRecording?
    /// Set when the recording is encrypted (#15): `.wav` only, and decrypted as it streams.
    private(set) var encryption: EncryptionDetails?
    private(set) var notes: [Note] = []
    private var knownFromSync = false
    /// The non-200 a media GET got when the metadata was skipped: stored once the metadata is read.
    private var mediaFailure: AttemptResult?
    private var refusal: AttemptResult?
    private var head: HTTPResponseHead?
    private var httpStatus: Int?
    private var twilioCode: Int?
    private var received: Int64 = 0
    private var expected: Int64?
    private var errorPrefix = Data()
    private var sniff = Data()

    init(sid: String, callSid: String?, metadataURI: String, host: TwilioHost, timeLimit: DownloadTimeLimit = DownloadTimeLimit()) {
        self.sid = sid
        self.callSid = callSid
        self.metadataURI = metadataURI
        self.host = host
        self.timeLimit = timeLimit
    }

    /// The media transfer's limit, from the metadata's duration.
    var mediaTimeLimit: TimeInterval { timeLimit.seconds(durationS: recording?.durationS, channels: recording?.channels) }

    mutating func takeNotes() -> [Note] {
        defer { notes = [] }
        return notes
    }

    // MARK: Events

    /// `known`: fresh metadata from a sync or callback, which saves the metadata GET.
    mutating func start(known: TwilioRecording?, encryption: EncryptionDetails?) -> Action {
        guard state == .idle else { return unexpected("start") }
        if let callSid { info("[OFFLINE_STT] Original recording_url for \(callSid): \(metadataURI)") }
        info("[OFFLINE_STT] Extracted recording SID: \(sid)")
        guard let known else {
            state = .fetchingMetadata
            return .fetchMetadata(uri: metadataURI)
        }
        info("[OFFLINE_STT] Recording known from sync: \(sid), duration=\(known.durationS.map(String.init) ?? "?")s")
        knownFromSync = true
        self.encryption = encryption
        return requestMedia(known)
    }

    /// The metadata GET's answer; `encryption`: the details it or the store holds.
    mutating func metadata(_ answer: Result<TwilioRecording, TwilioError>, encryption: EncryptionDetails?) -> Action {
        guard state == .fetchingMetadata else { return unexpected("metadata") }
        switch answer {
        case .failure(let error):
            warning("[OFFLINE_STT] Failed to fetch recording \(sid)")
            return record(classify(error))
        case .success(let meta):
            httpStatus = 200
            info("[OFFLINE_STT] Recording fetched: \(sid), duration=\(meta.durationS.map(String.init) ?? "?")s")
            if let news = RecordingStatusVerdict(status: meta.status, errorCode: meta.errorCode).result { return record(news) }
            if let mediaFailure {
                // Still completed: the media's own answer stands.
                if case let .http(status, code, _) = mediaFailure { (httpStatus, twilioCode) = (status, code) }
                return record(mediaFailure)
            }
            self.encryption = encryption
            return requestMedia(meta)
        }
    }

    /// The media can have no writer (no directory, no key): nothing was fetched.
    mutating func mediaUnwritable(_ why: AttemptResult) -> Action {
        guard case .requesting = state else { return unexpected("mediaUnwritable") }
        return record(why)
    }

    /// A 3xx answered the current media GET.
    mutating func redirect(_ head: HTTPResponseHead) -> Action {
        guard case let .requesting(url, hops) = state else { return unexpected("redirect") }
        switch MediaRedirect.next(after: head, from: url, hops: hops + 1, host: host) {
        case .success(let next):
            state = .requesting(url: next.url, hops: hops + 1)
            return .followRedirect(url: next.url, withCredentials: next.withCredentials)
        case .failure(let error):
            return transportFailed(error, written: 0)
        }
    }

    /// The head of the final (non-redirect) media response.
    mutating func responseHead(_ head: HTTPResponseHead) -> Action {
        guard case .requesting = state else { return unexpected("responseHead") }
        self.head = head
        // Twilio's errors come as XML or JSON, sometimes with a 200: those are kept, never written.
        if head.status == 200 && !AudioCheck.isErrorContentType(head.contentType) {
            state = .receivingAudio(head)
            return .openTemporaryFile
        }
        state = .receivingError(head)
        return .keepReading
    }

    /// A chunk of the media body, before it is written.
    mutating func bodyPrefix<Bytes: Collection<UInt8>>(_ chunk: Bytes) -> Action {
        switch state {
        case .receivingError:
            if errorPrefix.count < Self.errorBodyLimit { errorPrefix.append(contentsOf: chunk.prefix(Self.errorBodyLimit - errorPrefix.count)) }
            return errorPrefix.count < Self.errorBodyLimit ? .keepReading : .abort(nil)
        case .receivingAudio(let head):
            if let refusal { return .abort(refusal) }
            // Ciphertext looks like nothing: an encrypted body is checked once decrypted, by its writer.
            if encryption == nil, sniff.count < Self.sniffLength {
                sniff.append(contentsOf: chunk.prefix(Self.sniffLength - sniff.count))
                if sniff.count >= Self.sniffLength && AudioCheck.kind(ofPrefix: sniff) == nil {
                    errorPrefix = Data(chunk.prefix(Self.errorBodyLimit))
                    let why = AttemptResult.notAudio(AudioCheck.describe(prefix: errorPrefix, contentType: head.contentType))
                    refusal = why
                    return .abort(why)
                }
            }
            return .writeChunk
        default:
            return unexpected("bodyPrefix")
        }
    }

    /// The writer could not take the body (disk full, no temporary file, a bad GCM stream).
    mutating func writeFailed(_ why: AttemptResult) -> Action {
        guard case .receivingAudio = state else { return unexpected("writeFailed") }
        refusal = why
        return .abort(why)
    }

    /// The media GET threw; `written`: the bytes the writer took.
    mutating func transportFailed(_ error: TwilioError, written: Int64) -> Action {
        switch state {
        case .requesting, .receivingError, .receivingAudio: break
        default: return unexpected("transportFailed")
        }
        received = max(written, Int64(errorPrefix.count))
        httpStatus = head?.status
        if let refusal {
            twilioCode = TwilioErrorBody.parse(errorPrefix)?.code
            warning("[OFFLINE_STT] Download failed: \(refusal)")
            return finish(refusal)
        }
        // An error body longer than we keep was cut short on purpose: it is still that status.
        if let head, head.status != 200 { return httpFailure(head) }
        if case .transport(.timedOut, _) = error {
            warning("[OFFLINE_STT] Download failed: over its time limit")
            return finish(.transport(.timedOut("the download took longer than its \(Int(mediaTimeLimit)) s limit (\(received) bytes received)")))
        }
        warning("[OFFLINE_STT] Download failed: \(error)")
        return finish(classify(error))
    }

    /// The media GET ended normally with this (non-redirect) head.
    mutating func bodyEnded(_ head: HTTPResponseHead, written: Int64) -> Action {
        switch state {
        case .requesting, .receivingError, .receivingAudio: break
        default: return unexpected("bodyEnded")
        }
        httpStatus = head.status
        received = max(written, Int64(errorPrefix.count))
        expected = head.contentLength
        info("[OFFLINE_STT] Download status: \(head.status), bytes=\(received)")
        guard head.status == 200 else { return httpFailure(head) }
        if case .requesting = state {  // an empty body never reached the head callback
            self.head = head
            state = AudioCheck.isErrorContentType(head.contentType) ? .receivingError(head) : .receivingAudio(head)
        }
        if let why = verdict(head, written: written) { return commitFailed(why) }
        state = .committing
        return .commit
    }

    /// The writer's commit; `relativePath`: the name the file was given.
    mutating func committed(_ result: Result<SavedFile, AttemptResult>, relativePath: String) -> Action {
        guard state == .committing else { return unexpected("committed") }
        switch result {
        case .success(let file):
            info("[OFFLINE_STT] Recording saved to disk: \(relativePath) (\(file.bytes) bytes)")
            if file.bytes < 1024 { warning("[OFFLINE_STT] Recording too small: \(file.bytes) bytes") }
            return record(.saved(bytes: file.bytes), file: file)
        case .failure(let why):
            return commitFailed(why)
        }
    }

    // MARK: Decisions

    /// Why a whole 200 body is not taken, if it is not.
    private func verdict(_ head: HTTPResponseHead, written: Int64) -> AttemptResult? {
        if let refusal { return refusal }
        if case .receivingError = state { return .notAudio(AudioCheck.describe(prefix: errorPrefix, contentType: head.contentType)) }
        if encryption == nil, AudioCheck.kind(ofPrefix: sniff) == nil {
            return .notAudio(written == 0 ? "an empty body" : AudioCheck.describe(prefix: sniff, contentType: head.contentType))
        }
        if let expected = head.contentLength, expected != written { return .transport(.truncated(received: written, expected: expected)) }
        return nil
    }

    private mutating func requestMedia(_ meta: TwilioRecording) -> Action {
        recording = meta
        // Media lives at the recording's own uri with .json → .mp3: it carries the right account.
        guard var url = Self.mediaURL(uri: meta.uri ?? metadataURI, channels: meta.channels, host: host) else {
            return record(.local("Twilio's uri for \(sid) is not a valid media path on \(host.hostName): not retrying (Twilio sent a malformed uri)"))
        }
        if encryption != nil { url = Self.wavURL(url) }  // #15: encrypted recordings exist only as .wav (16109)
        info("[OFFLINE_STT] Downloading recording via Twilio client: \(url)")
        state = .requesting(url: url, hops: 0)
        return .fetchMedia(url: url, withCredentials: host.owns(url))
    }

    private mutating func httpFailure(_ head: HTTPResponseHead) -> Action {
        let body = TwilioErrorBody.parse(errorPrefix)
        twilioCode = body?.code
        warning("[OFFLINE_STT] Download failed with status \(head.status)")
        return finish(.http(status: head.status, code: body?.code, message: body?.message))
    }

    private mutating func commitFailed(_ why: AttemptResult) -> Action {
        if case .notAudio = why { twilioCode = TwilioErrorBody.parse(errorPrefix)?.code }
        warning("[OFFLINE_STT] Download failed: \(why)")
        return finish(why)
    }

    /// Ends the attempt, except that a non-200 on media fetched without fresh
    /// metadata sends it to the metadata first: only the metadata says what the
    /// non-200 means now (still processing, absent, deleted, or really gone).
    private mutating func finish(_ result: AttemptResult) -> Action {
        if knownFromSync, mediaFailure == nil, case .http = result {
            mediaFailure = result
            state = .fetchingMetadata
            return .fetchMetadata(uri: metadataURI)
        }
        return record(result)
    }

    private mutating func record(_ result: AttemptResult, file: SavedFile? = nil) -> Action {
        state = .finished
        return .record(Outcome(result: result, httpStatus: httpStatus, twilioCode: twilioCode, bytes: received,
                               expectedBytes: expected, file: file))
    }

    private mutating func classify(_ error: TwilioError) -> AttemptResult {
        switch error {
        case let .http(status, code, message, _):
            (httpStatus, twilioCode) = (status, code)
            return .http(status: status, code: code, message: message)
        case .transport(let t, _):
            return .transport(t)
        case .decoding(let m):
            return .notAudio("an unreadable document (\(m))")
        case .redirectRefused(let m):
            return .redirectRefused(m)
        }
    }

    /// An event the driver should never send in this state: a bug, ended as a local failure rather than a crash.
    private mutating func unexpected(_ event: String) -> Action {
        let why = AttemptResult.local("download attempt for \(sid): \(event) in state \(state)")
        if state == .finished { return .abort(why) }
        return record(why)
    }

    private mutating func info(_ line: String) { notes.append(.info(line)) }
    private mutating func warning(_ line: String) { notes.append(.warning(line)) }

    // MARK: URLs

    /// The media URL: the recording's own `uri` with `.json` → `.mp3`. A uri
    /// that does not make a URL on the configured host is Twilio's data being
    /// wrong, which no retry fixes.
    static func mediaURL(uri: String, channels: Int?, host: TwilioHost) -> String? {
        let base = uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? uri
        guard base.hasPrefix("/"), !base.contains(where: { $0.isWhitespace || $0.asciiValue.map { $0 < 0x20 || $0 == 0x7f } ?? false })
        else { return nil }
        var url = host.resolve(base.hasSuffix(".json") ? String(base.dropLast(5)) + ".mp3" : base + ".mp3")
        if (channels ?? 1) == 2 { url += "?RequestedChannels=2" }
        guard let parts = URLComponents(string: url), parts.host != nil, ["http", "https"].contains(parts.scheme?.lowercased() ?? "")
        else { return nil }
        return url
    }

    /// `….mp3` → `….wav`: Twilio refuses `.mp3` of an encrypted recording (16109).
    static func wavURL(_ mp3URL: String) -> String {
        let parts = mp3URL.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = String(parts[0])
        let query = parts.count > 1 ? "?" + parts[1] : ""
        return (path.hasSuffix(".mp3") ? String(path.dropLast(4)) + ".wav" : path) + query
    }
}
