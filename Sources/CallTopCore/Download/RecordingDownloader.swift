import Foundation
import Logging

/// One download attempt for one recording, the seed's flow done properly:
/// metadata first, media from the recording's own `uri`, verified audio,
/// fsync + rename, every attempt stored with the decision it led to.
public final class RecordingDownloader: Sendable {
    let client: TwilioClient
    let store: Store
    let policy: DownloadPolicy
    let logger: Logger
    let bus: EventBus?
    let now: @Sendable () -> Date
    let jitter: @Sendable () -> Double

    public init(client: TwilioClient, store: Store, retry: RetrySchedule = RetrySchedule(), notReady: NotReadySchedule = NotReadySchedule(),
                logger: Logger, bus: EventBus? = nil,
                now: @escaping @Sendable () -> Date = Date.init,
                jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.client = client
        self.store = store
        self.policy = DownloadPolicy(retry: retry, notReady: notReady, hostName: client.host.hostName)
        self.logger = logger
        self.bus = bus
        self.now = now
        self.jitter = jitter
    }

    /// Where a recording lives: the first of a call is `{CallSid}.mp3` (the
    /// layout the voice-agent server used), further ones `{CallSid}-{RecordingSid}.mp3`.
    /// Both SIDs were validated when decoded, so they are safe file names.
    public static func relativePath(recordingSid: String, callSid: String?, isPrimary: Bool) -> String {
        guard let callSid else { return "recordings/\(recordingSid).mp3" }
        return isPrimary ? "recordings/\(callSid).mp3" : "recordings/\(callSid)-\(recordingSid).mp3"
    }

    @discardableResult
    public func attempt(_ sid: String) async -> DownloadDecision {
        let started = now()
        guard var stored = try? store.recording(sid) else {
            return .failed(reason: "\(sid) is not in the store: run `calltop sync` first")
        }
        let callSid = stored.callSid
        try? store.markDownloading(sid, now: started)
        if let callSid { bus?.emit(.callChanged(callSid: callSid)) }

        var status: Int?
        var code: Int?
        var received: Int64 = 0
        var saved: SavedFile?
        var expected: Int64?
        let result: AttemptResult
        do {
            let outcome = try await fetch(&stored, status: &status, code: &code, received: &received, expected: &expected)
            saved = outcome
            result = .saved(bytes: outcome.bytes)
        } catch let failure {
            result = failure
        }

        var memory = stored.memory
        let decision = policy.decide(result, memory: &memory, now: now(), jitter: jitter())
        let attempt = DownloadAttempt(recordingSid: sid, startedAt: started, httpStatus: status, twilioCode: code, bytes: received,
                                      durationMs: Int(now().timeIntervalSince(started) * 1000), error: Self.errorText(decision))
        do {
            try store.recordAttempt(attempt, decision: decision, memory: memory, file: saved, expectedBytes: expected, now: now())
        } catch {
            logger.error("could not store the attempt for \(sid): \(error)")
        }
        CallTopMetrics.downloadFinished(decision, bytes: received, duration: now().timeIntervalSince(started))
        if let callSid { bus?.emit(.callChanged(callSid: callSid)) }
        return decision
    }

    static func errorText(_ decision: DownloadDecision) -> String? {
        switch decision {
        case .downloaded: return nil
        case .retry(_, _, let reason), .failed(let reason), .absent(let reason): return reason
        }
    }

    private func fetch(_ stored: inout StoredRecording, status: inout Int?, code: inout Int?, received: inout Int64,
                       expected: inout Int64?) async throws(AttemptResult) -> SavedFile {
        let sid = stored.sid
        let metadataURI = stored.uri.flatMap { RecordingReference.recordingSID(fromURL: $0) == sid ? $0 : nil }
            ?? "\(client.accountPath)/Recordings/\(sid).json"
        if let callSid = stored.callSid { logger.info("[OFFLINE_STT] Original recording_url for \(callSid): \(metadataURI)") }
        logger.info("[OFFLINE_STT] Extracted recording SID: \(sid)")

        let meta: TwilioRecording
        do {
            meta = try await client.getJSON(metadataURI)
        } catch {
            logger.warning("[OFFLINE_STT] Failed to fetch recording \(sid)")
            throw Self.classify(error, status: &status, code: &code)
        }
        status = 200
        try? store.refreshRecordingMetadata(meta)
        stored.status = meta.status ?? stored.status
        stored.channels = meta.channels ?? stored.channels
        logger.info("[OFFLINE_STT] Recording fetched: \(sid), duration=\(meta.durationS.map(String.init) ?? "?")s")
        switch meta.status ?? "completed" {
        case "completed": break
        case "absent": throw .absent(code: meta.errorCode)
        case "deleted": throw .deleted
        case let other: throw .notReady(status: other)
        }

        // Media lives at the recording's own uri with .json → .mp3: it carries the right account.
        let base = (meta.uri ?? metadataURI).split(separator: "?").first.map(String.init) ?? metadataURI
        var mediaURL = client.host.resolve(base.hasSuffix(".json") ? String(base.dropLast(5)) + ".mp3" : base + ".mp3")
        if (meta.channels ?? 1) == 2 { mediaURL += "?RequestedChannels=2" }
        logger.info("[OFFLINE_STT] Downloading recording via Twilio client: \(mediaURL)")

        let isPrimary = try? stored.callSid.map { try store.recordings(ofCall: $0).first?.sid == sid } ?? true
        let relative = Self.relativePath(recordingSid: sid, callSid: stored.callSid, isPrimary: isPrimary ?? true)
        do {
            try FileManager.default.createDirectory(at: store.recordingsDir, withIntermediateDirectories: true)
        } catch {
            throw .local("cannot create \(store.recordingsDir.path): \(error.localizedDescription)")
        }
        let callSid = stored.callSid ?? ""
        let bus = self.bus
        let writer = MediaFileWriter(finalURL: store.dataDir.appendingPathComponent(relative)) { bytes, total in
            bus?.emit(.downloadProgress(callSid: callSid, recordingSid: sid, bytes: bytes, total: total))
        }
        defer { writer.discard() }
        let head: HTTPResponseHead
        do {
            head = try await client.getMedia(mediaURL, onHead: writer.onHead, onBody: writer.onBody)
        } catch {
            received = max(writer.written, Int64(writer.errorPrefix.count))
            status = writer.head?.status
            if let refusal = writer.refusal {
                code = TwilioErrorBody.parse(writer.errorPrefix)?.code
                logger.warning("[OFFLINE_STT] Download failed: \(refusal)")
                throw refusal
            }
            logger.warning("[OFFLINE_STT] Download failed: \(error)")
            throw Self.classify(error, status: &status, code: &code)
        }
        status = head.status
        received = max(writer.written, Int64(writer.errorPrefix.count))
        expected = head.contentLength
        logger.info("[OFFLINE_STT] Download status: \(head.status), bytes=\(received)")
        guard head.status == 200 else {
            let body = TwilioErrorBody.parse(writer.errorPrefix)
            code = body?.code
            logger.warning("[OFFLINE_STT] Download failed with status \(head.status)")
            throw .http(status: head.status, code: body?.code, message: body?.message)
        }
        if writer.head == nil { writer.onHead(head) }  // an empty 200 body never reached onHead
        switch writer.commit(relativePath: relative) {
        case .success(let file):
            logger.info("[OFFLINE_STT] Recording saved to disk: \(relative) (\(file.bytes) bytes)")
            if file.bytes < 1024 { logger.warning("[OFFLINE_STT] Recording too small: \(file.bytes) bytes") }
            return file
        case .failure(let why):
            if case .notAudio = why { code = TwilioErrorBody.parse(writer.errorPrefix)?.code }
            logger.warning("[OFFLINE_STT] Download failed: \(why)")
            throw why
        }
    }

    static func classify(_ error: TwilioError, status: inout Int?, code: inout Int?) -> AttemptResult {
        switch error {
        case let .http(s, c, message, _):
            status = s
            code = c
            return .http(status: s, code: c, message: message)
        case .transport(let t, _):
            return .transport(t)
        case .decoding(let m):
            return .notAudio("an unreadable document (\(m))")
        case .redirectRefused(let m):
            return .redirectRefused(m)
        }
    }
}
