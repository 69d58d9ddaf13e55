import Foundation
import Logging

/// Offline transcription of a call: downloads the recording first when
/// needed, runs the speech worker, stores the transcript with its provenance
/// and records the job's state so the policy can explain itself. A failure
/// leaves the previous transcript in place.
public final class TranscriptionService: Sendable {
    public let worker: SpeechWorker
    let store: any CallStore
    let downloads: DownloadRunner?
    /// Fetches a recording another machine downloaded (team mode without shared storage).
    let copies: RecordingDownloader?
    let logger: Logger
    let bus: EventBus?
    let model: String
    let clock: any WallClock

    public init(worker: SpeechWorker, store: any CallStore, downloads: DownloadRunner?, copies: RecordingDownloader? = nil,
                logger: Logger, bus: EventBus? = nil, model: String = SpeechEnvironment.defaultModel, clock: any WallClock = SystemClock()) {
        self.clock = clock
        self.worker = worker
        self.store = store
        self.downloads = downloads
        self.copies = copies ?? downloads?.downloader
        self.logger = logger
        self.bus = bus
        self.model = model
    }

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case noRecording(String)
        case notDownloaded(String)
        /// Another live process holds the job.
        case busy(String)
        case speech(SpeechWorkerError)
        /// The store could not be read or written: nothing was decided about the call.
        case store(String)

        public var description: String {
            switch self {
            case .noRecording(let m), .notDownloaded(let m), .busy(let m), .store(let m): return m
            case .speech(let e): return e.description
            }
        }

        var policyReason: String {
            switch self {
            case .noRecording: return "no recording"
            case .notDownloaded(let m), .busy(let m), .store(let m): return m
            case .speech(let e): return e.policyReason
            }
        }
    }

    /// Transcribes a call's primary recording. `downloadWait` bounds how long a
    /// needed download may wait for retries. `rule`: which existing job this may
    /// take (a worker: only a queued one; serve: none already finished).
    @discardableResult
    public func transcribe(callSid: String, downloadWait: TimeInterval = 120, rule: TranscriptionClaimRule = .always,
                           progress: @escaping @Sendable (Double) -> Void = { _ in }) async throws(Failure) -> OfflineTranscript {
        let now = clock.now()
        let recordings: [StoredRecording]
        do { recordings = try store.recordings(ofCall: callSid) } catch { throw .store("\(callSid): the store could not be read: \(error)") }
        guard var recording = recordings.first else {
            markFailed(callSid, "no recording")
            throw .noRecording("\(callSid) has no recording in the store (run `calltop sync`)")
        }
        if recording.downloadState != .downloaded, let downloads {
            logger.noting("put \(recording.sid) back in the download queue", otherwise: "trying the download as it stands") {
                try store.resetForRetry([recording.sid], now: now)
            }
            _ = await downloads.run([recording.sid], options: .init(concurrency: 1, wait: downloadWait))
            do { recording = try store.recording(recording.sid) ?? recording } catch {
                throw .store("\(callSid): the store could not be read after the download: \(error)")
            }
        }
        guard recording.downloadState == .downloaded, let path = recording.path else {
            let why = "recording \(recording.downloadState.rawValue)" + (recording.lastError.map { ": \($0)" } ?? "")
            markFailed(callSid, why)
            bus?.emit(.callChanged(callSid: callSid))
            throw .notDownloaded(why)
        }
        // The fence: a result is written only while this claim holds, so a lease lost meanwhile cannot overwrite a newer one.
        let claimed: TranscriptionClaim?
        do { claimed = try store.claimTranscriptionJob(callSid, now: clock.now(), rule: rule) } catch {
            throw .store("\(callSid): the transcription could not be claimed: \(error)")
        }
        guard let claim = claimed else {
            throw .busy("\(callSid) is being transcribed by another calltop process")
        }
        bus?.emit(.callChanged(callSid: callSid))
        try await ensureLocalFile(recording, claim: claim)
        // #15: a recording kept only encrypted is decrypted to a private temporary file for the worker.
        let (audio, cleanup) = try audioForWorker(path, recordingSid: recording.sid, callSid: callSid)
        defer { cleanup() }
        let request = TranscriptionRequest(audio: audio, model: model, channels: max(1, recording.channels ?? 1))
        let bus = self.bus
        let started = clock.now()
        let transcript: OfflineTranscript
        do throws(SpeechWorkerError) {
            transcript = try await store.keepingLeaseAlive(on: .transcription(callSid: callSid)) { () async throws(SpeechWorkerError) -> OfflineTranscript in
                try await worker.transcribe(request) { p in
                    progress(p.fraction)
                    bus?.emit(.transcriptionProgress(callSid: callSid, fraction: p.fraction))
                }
            }
        } catch {
            let failure = Failure.speech(error)
            logger.warning("[OFFLINE_STT] Transcription failed for \(callSid): \(failure)")
            CallTopMetrics.transcriptionFinished(result: "failed", duration: clock.now().timeIntervalSince(started), audioSeconds: nil)
            // Fenced like the result: a claim lost meanwhile leaves the newer holder's state alone.
            logger.noting("record \(callSid)'s failed transcription", otherwise: "its lease expires and it is tried again") {
                try store.failTranscription(claim, error: failure.policyReason, now: clock.now())
            }
            bus?.emit(.callChanged(callSid: callSid))
            throw failure
        }
        let saved: Bool
        do { saved = try store.saveOfflineTranscript(transcript, claim: claim, recordingSid: recording.sid, now: clock.now()) } catch {
            // The claim's lease runs out and the job is taken back, so the transcription is done again, not lost.
            logger.error("[OFFLINE_STT] \(callSid): the transcript could not be stored: \(error)")
            throw .store("\(callSid): the transcript could not be stored: \(error)")
        }
        guard saved else {
            logger.warning("[OFFLINE_STT] \(callSid): the claim was lost (taken over or handed back); this result is not stored")
            throw .busy("\(callSid): the transcription lease was lost; the newer holder's result stands")
        }
        let chars = transcript.text.trimmingCharacters(in: .whitespacesAndNewlines).count
        logger.info("[OFFLINE_STT] Transcript obtained: \(chars) chars for \(callSid)")
        CallTopMetrics.transcriptionFinished(result: transcript.isEmpty ? "empty" : "done",
                                             duration: transcript.processingSeconds, audioSeconds: transcript.audioSeconds)
        bus?.emit(.callChanged(callSid: callSid))
        return transcript
    }

    /// Records why a call's transcription could not start: `offline_state` then explains itself.
    func markFailed(_ callSid: String, _ why: String) {
        logger.noting("record why \(callSid) was not transcribed (\(why))", otherwise: "the list keeps its previous transcription state") {
            try store.setTranscriptionJob(callSid, state: .failed, error: why, now: clock.now())
        }
    }

    /// Calls with a downloaded (or downloadable) recording and no offline transcript yet.
    public func pendingCallSids() throws -> [String] {
        try store.callRows().filter { row in
            // `path` is the primary recording's: downloaded, whatever the call's other recordings are doing.
            guard row.transcriptSource != .offline, row.recordingSid != nil,
                  row.path != nil || (row.downloadState != .absent && row.downloadState != .failed) else { return false }
            return (try? store.offlineState(row.callSid)) != .empty
        }.map(\.callSid)
    }
}
