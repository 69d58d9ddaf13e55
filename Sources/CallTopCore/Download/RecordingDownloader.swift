import Foundation
import Logging

/// One download attempt for one recording, the seed's flow done properly:
/// metadata first, media from the recording's own `uri`, verified audio,
/// fsync + rename, every attempt stored with the decision it led to.
public final class RecordingDownloader: Sendable {
    let client: TwilioClient
    let store: any CallStore
    let policy: DownloadPolicy
    let logger: Logger
    let bus: EventBus?
    let timeLimit: DownloadTimeLimit
    /// Metadata younger than this (from a sync or a callback) saves the metadata GET.
    let metadataMaxAge: TimeInterval
    let clock: any WallClock
    let jitter: @Sendable () -> Double
    let encryption: EncryptionSettings

    public init(client: TwilioClient, store: any CallStore, retry: RetrySchedule = RetrySchedule(), notReady: NotReadySchedule = NotReadySchedule(),
                timeLimit: DownloadTimeLimit = DownloadTimeLimit(), metadataMaxAge: TimeInterval = 600,
                logger: Logger, bus: EventBus? = nil,
                clock: any WallClock = SystemClock(),
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
        self.clock = clock
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
        let started = clock.now()
        let claimed: StoredRecording?
        do {
            claimed = try await store.claimDownload(sid, now: started)
        } catch {
            logger.error("could not claim \(sid) in the store: \(error)")
            return nil
        }
        guard let claimed else { return nil }
        return await attempt(claimed: claimed, startedAt: started)
    }

    /// Tries once a recording this downloader's store has already claimed (a worker's batch).
    public func attempt(claimed: StoredRecording, startedAt started: Date? = nil) async -> DownloadDecision {
        let started = started ?? clock.now()
        var stored = claimed
        let sid = stored.sid
        let callSid = stored.callSid
        if let callSid { bus?.emit(.callChanged(callSid: callSid)) }

        let outcome = await store.keepingLeaseAlive(on: .download(recordingSid: sid)) { () async -> DownloadAttemptMachine.Outcome in
            await perform(&stored)
        }
        let (result, saved, received) = (outcome.result, outcome.file, outcome.bytes)

        var memory = stored.memory
        let decision = policy.decide(result, memory: &memory, now: clock.now(), jitter: jitter())
        let attempt = DownloadAttempt(recordingSid: sid, startedAt: started, httpStatus: outcome.httpStatus,
                                      twilioCode: outcome.twilioCode, bytes: received,
                                      durationMs: Int(clock.now().timeIntervalSince(started) * 1000), error: Self.errorText(decision))
        // The store may be down for a moment (a database restart): the file is saved, so
        // keep trying to record it, under a renewed lease, rather than fetch it again later.
        var tries = 0
        while true {
            do {
                if try await !store.recordAttempt(attempt, decision: decision, memory: memory, file: saved, expectedBytes: outcome.expectedBytes, now: clock.now()) {
                    // After a failed try the claim may be gone because that try's COMMIT did
                    // land (the connection broke before the answer), not because of a takeover.
                    logger.warning(tries == 0
                        ? "\(sid): another process took this download over after our claim expired; its result stands"
                        : "\(sid): the store no longer holds our claim: an earlier try was recorded after all, or another process took the download over; the stored result stands")
                }
                break
            } catch {
                tries += 1
                guard tries < Self.recordTries else {
                    logger.error("could not store the attempt for \(sid) (\(tries) tries): \(error); its claim expires and it is tried again")
                    break
                }
                logger.warning("could not store the attempt for \(sid): \(error); trying again in 1 s")
                try? await Task.sleep(for: .seconds(1))
                logger.noting("renew the claim on \(sid)", otherwise: "the next try renews it") {
                    try store.renewLeases([.download(recordingSid: sid)], now: clock.now())
                }
            }
        }
        CallTopMetrics.downloadFinished(decision, bytes: received, duration: clock.now().timeIntervalSince(started))
        if let callSid { bus?.emit(.callChanged(callSid: callSid)) }
        return decision
    }

    /// What fetching a recording again for this machine came to.
    public enum LocalCopy: Sendable {
        case saved(SavedFile)
        /// Not fetched now (Twilio, the network, the disk): a later try may work.
        case unavailable(AttemptResult)
        /// Fetched whole, but not the bytes that were downloaded: no retry makes it match.
        case differs(String)
    }

    /// Team mode without shared storage: a recording another machine downloaded,
    /// fetched again into this data dir and kept only if it hashes to what the
    /// store recorded. Its download state is not touched; the copy is recorded.
    public func fetchLocalCopy(of recording: StoredRecording) async -> LocalCopy {
        var stored = recording
        let outcome = await perform(&stored)
        guard let file = outcome.file else {
            return .unavailable(outcome.result == .saved(bytes: outcome.bytes) ? .local("no file was saved") : outcome.result)
        }
        guard let expected = recording.sha256, file.sha256 == expected else {
            try? FileManager.default.removeItem(at: store.dataDir.appendingPathComponent(file.relativePath))  // a wrong copy is no copy
            return .differs("the copy fetched again hashes to \(file.sha256.prefix(12))…, the store recorded \((recording.sha256 ?? "none").prefix(12))…")
        }
        do { try store.recordCopy(recording.sid, now: clock.now()) } catch {
            logger.warning("\(recording.sid): copied, but the copy could not be recorded: \(error)")
        }
        logger.info("[OFFLINE_STT] Recording copied to this machine: \(file.relativePath) (\(file.bytes) bytes, sha256 matches)")
        return .saved(file)
    }

    /// How many times an attempt's outcome is offered to a store that fails (one a second).
    static let recordTries = 30

    static func errorText(_ decision: DownloadDecision) -> String? {
        switch decision {
        case .downloaded: return nil
        case .retry(_, _, let reason), .failed(let reason), .absent(let reason): return reason
        }
    }

    /// What the store already knows, when it is fresh enough to go straight to the
    /// media: Twilio called the recording completed less than `maxAge` ago.
    static func knownFromSync(_ stored: StoredRecording, now: Date, maxAge: TimeInterval) -> TwilioRecording? {
        guard maxAge > 0, stored.status == "completed", let seen = stored.metadataAt, now.timeIntervalSince(seen) < maxAge,
              let uri = stored.uri else { return nil }
        return TwilioRecording(sid: stored.sid, callSid: stored.callSid, status: "completed", durationS: stored.durationS,
                               channels: stored.channels, errorCode: stored.errorCode, uri: uri)
    }

    /// Performs the attempt's actions until it has an outcome. Every decision is the machine's.
    private func perform(_ stored: inout StoredRecording) async -> DownloadAttemptMachine.Outcome {
        let sid = stored.sid
        let metadataURI = stored.uri.flatMap { RecordingReference.recordingSID(fromURL: $0) == sid ? $0 : nil }
            ?? "\(client.accountPath)/Recordings/\(sid).json"
        let transfer = MediaTransfer(DownloadAttemptMachine(sid: sid, callSid: stored.callSid, metadataURI: metadataURI,
                                                            host: client.host, timeLimit: timeLimit))
        defer { transfer.sink?.discard() }
        let known = Self.knownFromSync(stored, now: clock.now(), maxAge: metadataMaxAge)
        var action = transfer.machine.start(known: known, encryption: known == nil ? nil : storedEncryption(sid))
        while true {
            for note in transfer.machine.takeNotes() {
                switch note {
                case .info(let line): logger.info("\(line)")
                case .warning(let line): logger.warning("\(line)")
                }
            }
            switch action {
            case .fetchMetadata(let uri):
                let answer: Result<TwilioRecording, TwilioError>
                do {
                    let meta: TwilioRecording = try await client.getJSON(uri)
                    logger.noting("store \(sid)'s fresh metadata", otherwise: "the attempt goes on with it") {
                        try store.refreshRecordingMetadata(meta, now: clock.now())
                    }
                    stored.status = meta.status ?? stored.status
                    stored.channels = meta.channels ?? stored.channels
                    answer = .success(meta)
                } catch {
                    answer = .failure(error)
                }
                let encryption = (try? answer.get()).flatMap { $0.encryptionDetails ?? storedEncryption(sid) }
                action = transfer.machine.metadata(answer, encryption: encryption)
            case .fetchMedia(let url, let withCredentials):
                do throws(AttemptResult) {
                    transfer.sink = try makeSink(for: transfer.machine, stored: stored)
                } catch {
                    action = transfer.machine.mediaUnwritable(error)
                    continue
                }
                action = await get(url, withCredentials: withCredentials, transfer)
            case .followRedirect(let url, let withCredentials):
                action = await get(url, withCredentials: withCredentials, transfer)
            case .commit:
                guard let sink = transfer.sink, let head = transfer.head else {
                    action = transfer.machine.committed(.failure(.local("no media writer")), relativePath: "")
                    continue
                }
                if sink.head == nil { sink.onHead(head) }  // an empty 200 body never reached onHead
                let relative = fileName(stored, encrypted: transfer.machine.encryption != nil)
                action = transfer.machine.committed(await BlockingWork.run({ sink.commit(relativePath: relative) }), relativePath: relative)
            case .record(let outcome):
                return outcome
            case .openTemporaryFile, .writeChunk, .keepReading, .abort:
                // Transfer actions belong inside the media callbacks: here they are a bug, ended as a local failure.
                return DownloadAttemptMachine.Outcome(result: .local("download attempt for \(sid): \(action) outside a transfer"),
                                                      httpStatus: nil, twilioCode: nil, bytes: 0, expectedBytes: nil, file: nil)
            }
        }
    }

    /// One media request, its callbacks feeding the machine; its end is the next event.
    private func get(_ url: String, withCredentials: Bool, _ transfer: MediaTransfer) async -> DownloadAttemptMachine.Action {
        do {
            let head = try await client.getMediaHop(url, withCredentials: withCredentials, timeLimit: transfer.machine.mediaTimeLimit,
                                                    onHead: { transfer.onHead($0) }, onBody: { transfer.onBody($0) })
            if MediaRedirect.isRedirect(head.status) { return transfer.machine.redirect(head) }
            transfer.head = head
            return transfer.machine.bodyEnded(head, written: transfer.sink?.written ?? 0)
        } catch {
            return transfer.machine.transportFailed(error, written: transfer.sink?.written ?? 0)
        }
    }

    private func storedEncryption(_ sid: String) -> EncryptionDetails? {
        // #15. Unread, an encrypted recording's media fails its audio check and is tried again later.
        logger.noting("read \(sid)'s encryption details", otherwise: "going on without them") { try store.encryptionDetails(of: sid) } ?? nil
    }

    /// Assigned when the download was claimed, and never changed: a recording
    /// that arrives later with an earlier date cannot take this file's name.
    private func fileName(_ stored: StoredRecording, encrypted: Bool) -> String {
        Self.decryptedName(stored.fileName ?? Self.relativePath(recordingSid: stored.sid, callSid: stored.callSid, isPrimary: false),
                           encrypted: encrypted)
    }

    /// The writer for the media the machine asks for: made before a byte is fetched.
    private func makeSink(for machine: DownloadAttemptMachine, stored: StoredRecording) throws(AttemptResult) -> any MediaSink {
        let sid = stored.sid
        let relative = fileName(stored, encrypted: machine.encryption != nil)
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
        if let encryption = machine.encryption {  // #15: decrypted as it streams, named only once the GCM tag matched
            return try encryptedWriter(encryption, recordingSid: sid, errorCode: machine.recording?.errorCode, relative: relative, progress: progress)
        }
        return MediaFileWriter(finalURL: store.dataDir.appendingPathComponent(relative), progress: progress)
    }
}

/// One attempt's machine and writer, shared with the media callbacks. Like the
/// writers it is used from one transfer's callbacks at a time, and read by the
/// attempt only once the transfer has ended.
private final class MediaTransfer: @unchecked Sendable {
    var machine: DownloadAttemptMachine
    var sink: (any MediaSink)?
    /// The final response's head, once the request has returned.
    var head: HTTPResponseHead?

    init(_ machine: DownloadAttemptMachine) { self.machine = machine }

    func onHead(_ head: HTTPResponseHead) {
        guard case .openTemporaryFile = machine.responseHead(head), let sink else { return }
        sink.onHead(head)
        if let refusal = sink.refusal { _ = machine.writeFailed(refusal) }
    }

    /// False stops the transfer.
    func onBody(_ chunk: UnsafeRawBufferPointer) -> Bool {
        switch machine.bodyPrefix(chunk) {
        case .writeChunk:
            guard let sink else { return false }
            if sink.onBody(chunk) { return true }
            _ = machine.writeFailed(sink.refusal ?? .local("the media writer stopped"))
            return false
        case .keepReading:
            return true
        default:
            return false
        }
    }
}
