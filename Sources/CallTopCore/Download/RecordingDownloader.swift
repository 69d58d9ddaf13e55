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
    let timeLimit: DownloadTimeLimit
    /// Metadata younger than this (from a sync or a callback) saves the metadata GET.
    let metadataMaxAge: TimeInterval
    let now: @Sendable () -> Date
    let jitter: @Sendable () -> Double
    let encryption: EncryptionSettings

    public init(client: TwilioClient, store: Store, retry: RetrySchedule = RetrySchedule(), notReady: NotReadySchedule = NotReadySchedule(),
                timeLimit: DownloadTimeLimit = DownloadTimeLimit(), metadataMaxAge: TimeInterval = 600,
                logger: Logger, bus: EventBus? = nil,
                now: @escaping @Sendable () -> Date = Date.init,
                jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
                encryption: EncryptionSettings = .fromEnvironment()) {
        self.encryption = encryption
        self.client = client
        self.store = store
        self.timeLimit = timeLimit
        self.metadataMaxAge = metadataMaxAge
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

    /// Claims the recording and tries it once. Nil when it was not due or
    /// another process holds it: nothing was fetched.
    @discardableResult
    public func attempt(_ sid: String) async -> DownloadDecision? {
        let started = now()
        let claimed: StoredRecording?
        do {
            claimed = try await store.claimDownload(sid, now: started)
        } catch {
            logger.error("could not claim \(sid) in the store: \(error)")
            return nil
        }
        guard var stored = claimed else { return nil }
        let callSid = stored.callSid
        if let callSid { bus?.emit(.callChanged(callSid: callSid)) }

        var status: Int?
        var code: Int?
        var received: Int64 = 0
        var saved: SavedFile?
        var expected: Int64?
        let result: AttemptResult
        do {
            let outcome = try await store.keepingLeasesAlive { () async throws(AttemptResult) -> SavedFile in
                try await fetch(&stored, status: &status, code: &code, received: &received, expected: &expected)
            }
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
            if try await !store.recordAttempt(attempt, decision: decision, memory: memory, file: saved, expectedBytes: expected, now: now()) {
                logger.warning("\(sid): another process took this download over after our claim expired; its result stands")
            }
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

    private func fetch(_ stored: inout StoredRecording, status: inout Int?, code: inout Int?, received: inout Int64,
                       expected: inout Int64?) async throws(AttemptResult) -> SavedFile {
        let sid = stored.sid
        let metadataURI = stored.uri.flatMap { RecordingReference.recordingSID(fromURL: $0) == sid ? $0 : nil }
            ?? "\(client.accountPath)/Recordings/\(sid).json"
        if let callSid = stored.callSid { logger.info("[OFFLINE_STT] Original recording_url for \(callSid): \(metadataURI)") }
        logger.info("[OFFLINE_STT] Extracted recording SID: \(sid)")

        if let known = Self.knownFromSync(stored, now: now(), maxAge: metadataMaxAge) {
            logger.info("[OFFLINE_STT] Recording known from sync: \(sid), duration=\(known.durationS.map(String.init) ?? "?")s")
            do {
                return try await fetchMedia(known, metadataURI: metadataURI, stored: stored, status: &status, code: &code,
                                            received: &received, expected: &expected)
            } catch .http(let s, let c, let m) {
                // Only the metadata says what a non-200 means now: still processing, absent, deleted, or really gone.
                _ = try await fetchMetadata(metadataURI, stored: &stored, status: &status, code: &code)
                (status, code) = (s, c)
                throw .http(status: s, code: c, message: m)
            }
        }
        let meta = try await fetchMetadata(metadataURI, stored: &stored, status: &status, code: &code)
        return try await fetchMedia(meta, metadataURI: metadataURI, stored: stored, status: &status, code: &code,
                                    received: &received, expected: &expected)
    }

    /// What the store already knows, when it is fresh enough to go straight to the
    /// media: Twilio called the recording completed less than `maxAge` ago.
    static func knownFromSync(_ stored: StoredRecording, now: Date, maxAge: TimeInterval) -> TwilioRecording? {
        guard maxAge > 0, stored.status == "completed", let seen = stored.metadataAt, now.timeIntervalSince(seen) < maxAge,
              let uri = stored.uri else { return nil }
        return TwilioRecording(sid: stored.sid, callSid: stored.callSid, status: "completed", durationS: stored.durationS,
                               channels: stored.channels, errorCode: stored.errorCode, uri: uri)
    }

    /// The metadata GET: throws what the recording's status means when it is not `completed`.
    private func fetchMetadata(_ metadataURI: String, stored: inout StoredRecording, status: inout Int?,
                               code: inout Int?) async throws(AttemptResult) -> TwilioRecording {
        let sid = stored.sid
        let meta: TwilioRecording
        do {
            meta = try await client.getJSON(metadataURI)
        } catch {
            logger.warning("[OFFLINE_STT] Failed to fetch recording \(sid)")
            throw Self.classify(error, status: &status, code: &code)
        }
        status = 200
        try? store.refreshRecordingMetadata(meta, now: now())
        stored.status = meta.status ?? stored.status
        stored.channels = meta.channels ?? stored.channels
        logger.info("[OFFLINE_STT] Recording fetched: \(sid), duration=\(meta.durationS.map(String.init) ?? "?")s")
        switch meta.status ?? "completed" {
        case "completed": break
        case "absent": throw .absent(code: meta.errorCode)
        case "deleted": throw .deleted
        case "failed": throw Self.failedRecording(code: meta.errorCode)  // #15: only encrypted accounts have these
        case let other: throw .notReady(status: other)
        }
        return meta
    }

    private func fetchMedia(_ meta: TwilioRecording, metadataURI: String, stored: StoredRecording, status: inout Int?, code: inout Int?,
                            received: inout Int64, expected: inout Int64?) async throws(AttemptResult) -> SavedFile {
        let sid = stored.sid
        let encryption = meta.encryptionDetails ?? (try? store.encryptionDetails(of: sid)) ?? nil  // #15
        // Media lives at the recording's own uri with .json → .mp3: it carries the right account.
        guard var mediaURL = Self.mediaURL(uri: meta.uri ?? metadataURI, channels: meta.channels, host: client.host) else {
            throw .local("Twilio's uri for \(sid) is not a valid media path on \(client.host.hostName): not retrying (Twilio sent a malformed uri)")
        }
        if encryption != nil { mediaURL = Self.wavURL(mediaURL) }  // #15: encrypted recordings exist only as .wav (16109)
        logger.info("[OFFLINE_STT] Downloading recording via Twilio client: \(mediaURL)")

        // Assigned when the download was claimed, and never changed: a recording
        // that arrives later with an earlier date cannot take this file's name.
        let relative = Self.decryptedName(stored.fileName ?? Self.relativePath(recordingSid: sid, callSid: stored.callSid, isPrimary: false),
                                          encrypted: encryption != nil)
        do {
            try PrivateFiles.createDirectory(store.recordingsDir)
        } catch {
            throw .local("cannot create \(store.recordingsDir.path): \(error.localizedDescription)")
        }
        let callSid = stored.callSid ?? ""
        let bus = self.bus
        let progress: @Sendable (Int64, Int64?) -> Void = { bytes, total in
            bus?.emit(.downloadProgress(callSid: callSid, recordingSid: sid, bytes: bytes, total: total))
        }
        let writer: any MediaSink
        if let encryption {  // #15: decrypted as it streams, named only once the GCM tag matched
            writer = try encryptedWriter(encryption, recordingSid: sid, errorCode: meta.errorCode, relative: relative, progress: progress)
        } else {
            writer = MediaFileWriter(finalURL: store.dataDir.appendingPathComponent(relative), progress: progress)
        }
        defer { writer.discard() }
        let head: HTTPResponseHead
        let limit = timeLimit.seconds(durationS: meta.durationS, channels: meta.channels)
        do {
            head = try await client.getMedia(mediaURL, timeLimit: limit, onHead: writer.onHead, onBody: writer.onBody)
        } catch {
            received = max(writer.written, Int64(writer.errorPrefix.count))
            status = writer.head?.status
            if let refusal = writer.refusal {
                code = TwilioErrorBody.parse(writer.errorPrefix)?.code
                logger.warning("[OFFLINE_STT] Download failed: \(refusal)")
                throw refusal
            }
            // An error body longer than we keep was cut short on purpose: it is still that status.
            if let head = writer.head, head.status != 200 {
                let body = TwilioErrorBody.parse(writer.errorPrefix)
                code = body?.code
                logger.warning("[OFFLINE_STT] Download failed with status \(head.status)")
                throw .http(status: head.status, code: body?.code, message: body?.message)
            }
            if case .transport(.timedOut, _) = error {
                logger.warning("[OFFLINE_STT] Download failed: over its time limit")
                throw .transport(.timedOut("the download took longer than its \(Int(limit)) s limit (\(received) bytes received)"))
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
        switch await BlockingWork.run({ writer.commit(relativePath: relative) }) {
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
