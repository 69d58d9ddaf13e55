import Crypto
import Foundation
import Logging

/// What to transcribe.
public struct TranscriptionRequest: Sendable, Equatable {
    public var audio: URL
    public var model: String
    /// nil lets Whisper detect the language.
    public var language: String?
    /// 2 for a dual-channel (Twilio `channels` = 2) recording: each channel is
    /// transcribed on its own and the segments merged by time.
    public var channels: Int

    public init(audio: URL, model: String = SpeechEnvironment.defaultModel, language: String? = "en", channels: Int = 1) {
        self.audio = audio
        self.model = model
        self.language = language
        self.channels = channels
    }
}

/// Progress of the running job. `segment` is provisional; the result's
/// segments are authoritative.
public struct TranscriptionProgress: Sendable, Equatable {
    public let fraction: Double
    public let segment: TranscriptSegment?
}

/// Supervises the long-lived Python speech worker (speech/worker.py).
///
/// - Starts it on first need and keeps it (and its loaded models) alive.
/// - Runs one job at a time; later jobs wait in FIFO order.
/// - Limits each job's time by the audio it really holds (JobTimeLimit: the
///   claimed length, bounded by the file's size and by what has been decoded);
///   a job over its limit is failed with `.timedOut` and the worker killed.
/// - A crash fails only the job that was running (`.workerCrashed`, retryable);
///   the next job restarts the worker, after a backoff when crashes repeat.
/// - `shutdown()` closes the worker's stdin and waits for it to exit.
///
/// Task cancellation does not cancel a job that is already queued: the
/// caller gets its result or error when the job ends.
public actor SpeechWorker {
    public struct Configuration: Sendable {
        public var environment: SpeechEnvironment
        /// Models loaded before the worker says it is ready.
        public var preload: [String] = [SpeechEnvironment.defaultModel]
        /// How long the worker may take to import and load models.
        public var startTimeout: Double = 120
        /// Time limit of a job, from the audio it really holds (JobTimeLimit).
        public var timeLimit = JobTimeLimit()
        /// Restart delay after consecutive failures: initial, doubling, up to max.
        public var initialBackoff: Double = 0.5
        public var maxBackoff: Double = 10

        public init(environment: SpeechEnvironment) { self.environment = environment }
    }

    private struct Job {
        let id: String
        let request: TranscriptionRequest
        let audioSHA256: String
        let progress: @Sendable (TranscriptionProgress) -> Void
        let continuation: CheckedContinuation<OfflineTranscript, Error>
        var timer: Task<Void, Never>?
        /// What the time limit is computed from (JobTimeLimit).
        var fileBytes: Int64 = 0
        var claimedSeconds: Double?
        var decodedSeconds: Double = 0
        var channels = 1
        var startedAt: ContinuousClock.Instant?
        var limit: Double = 0
    }

    public let configuration: Configuration
    private let logger: Logger
    private var process: WorkerProcess?
    private var generation = 0
    private var isReady = false
    private var readyWaiters: [CheckedContinuation<Void, Error>] = []
    private var queue: [Job] = []
    private var current: Job?
    private var pumping = false
    private var consecutiveFailures = 0
    private var isShutDown = false
    private var jobCounter = 0

    public init(configuration: Configuration, logger: Logger = Logger(label: "calltop.speech")) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Process id of the running worker, if one runs (tests kill it by this).
    public var workerPID: Int32? { process.flatMap { $0.isRunning ? $0.pid : nil } }
    public var queuedJobs: Int { queue.count + (current == nil ? 0 : 1) }

    /// Transcribes one file. Throws `SpeechWorkerError`.
    public func transcribe(_ request: TranscriptionRequest,
                           progress: @escaping @Sendable (TranscriptionProgress) -> Void = { _ in })
        async throws -> OfflineTranscript {
        if isShutDown { throw SpeechWorkerError.shutDown }
        if let problem = configuration.environment.installationProblem() { throw problem }
        // Hash the bytes before they are transcribed: provenance names the
        // exact file content the transcript came from.
        let sha = try Self.sha256(of: request.audio)
        let bytes = (try? FileManager.default.attributesOfItem(atPath: request.audio.path)[.size] as? NSNumber)?.int64Value ?? 0
        jobCounter += 1
        let id = "job-\(jobCounter)"
        return try await withCheckedThrowingContinuation { continuation in
            queue.append(Job(id: id, request: request, audioSHA256: sha, progress: progress,
                             continuation: continuation, fileBytes: bytes))
            pumpSoon()
        }
    }

    /// Starts the worker now (optional: `transcribe` starts it on first need).
    public func warmUp() async throws {
        if let problem = configuration.environment.installationProblem() { throw problem }
        try await ensureRunning()
    }

    /// Fails queued jobs, lets the worker exit on EOF, kills it if it lingers.
    public func shutdown() async {
        isShutDown = true
        let waiting = queue
        queue.removeAll()
        for job in waiting { job.continuation.resume(throwing: SpeechWorkerError.shutDown) }
        if let job = current { finish(job.id, .failure(SpeechWorkerError.shutDown)) }
        guard let proc = process else { return }
        proc.closeInput()
        for _ in 0..<30 where proc.isRunning { try? await Task.sleep(for: .milliseconds(100)) }
        if proc.isRunning { proc.kill(SIGTERM) }
        for _ in 0..<10 where proc.isRunning { try? await Task.sleep(for: .milliseconds(100)) }
        if proc.isRunning { proc.kill(SIGKILL) }
        process = nil
    }

    // MARK: - running jobs

    private func pumpSoon() { Task { await self.pump() } }

    private func pump() async {
        guard !pumping else { return }
        pumping = true
        defer { pumping = false }
        while current == nil, !queue.isEmpty, !isShutDown {
            do {
                try await ensureRunning()
            } catch {
                // The worker could not start: fail the oldest job, try again
                // for the next one (after a backoff).
                if !queue.isEmpty {
                    let job = queue.removeFirst()
                    job.continuation.resume(throwing: error as? SpeechWorkerError ?? .startFailed("\(error)"))
                }
                continue
            }
            guard current == nil, !queue.isEmpty, let proc = process else { continue }
            var job = queue.removeFirst()
            let request = WorkerRequest(id: job.id, audio: job.request.audio.path,
                                        options: .init(model: job.request.model, language: job.request.language,
                                                       channels: job.request.channels))
            do {
                try proc.send(try request.line())
            } catch {
                // Broken pipe: the worker is dying; its exit event restarts it.
                queue.insert(job, at: 0)
                try? await Task.sleep(for: .milliseconds(100))
                continue
            }
            // Until the worker says how long the audio is, allow for loading
            // a model and a first minute of audio.
            let t = configuration.timeLimit
            job.timer = timer(for: job.id, seconds: t.base + t.lookahead * t.perAudioSecond + 30)
            current = job
        }
    }

    private func ensureRunning() async throws {
        if process != nil && isReady { return }
        if process == nil {
            if consecutiveFailures > 0 {
                let delay = min(configuration.maxBackoff,
                                configuration.initialBackoff * pow(2, Double(consecutiveFailures - 1)))
                logger.info("restarting speech worker in \(delay) s (failure \(consecutiveFailures))")
                try? await Task.sleep(for: .seconds(delay))
                if process != nil { return try await waitReady() }
            }
            if let problem = configuration.environment.installationProblem() { throw problem }
            let proc = WorkerProcess(environment: configuration.environment, preload: configuration.preload)
            generation += 1
            let gen = generation
            do {
                try proc.start()
            } catch {
                consecutiveFailures += 1
                throw SpeechWorkerError.startFailed("\(configuration.environment.python.path): \(error)")
            }
            process = proc
            isReady = false
            logger.info("speech worker started, pid \(proc.pid)")
            Task { [events = proc.events] in
                for await event in events { await self.handle(event, generation: gen) }
            }
            let limit = configuration.startTimeout
            Task {
                try? await Task.sleep(for: .seconds(limit))
                await self.readyTimedOut(generation: gen)
            }
        }
        try await waitReady()
    }

    private func waitReady() async throws {
        if isReady { return }
        try await withCheckedThrowingContinuation { readyWaiters.append($0) }
    }

    private func readyTimedOut(generation gen: Int) {
        guard gen == generation, !isReady, let proc = process else { return }
        logger.error("speech worker did not get ready in \(configuration.startTimeout) s; killing it")
        proc.kill()
        failReadyWaiters(.startFailed("not ready after \(Int(configuration.startTimeout)) s: \(proc.recentStderr())"))
    }

    private func failReadyWaiters(_ error: SpeechWorkerError) {
        let waiters = readyWaiters
        readyWaiters.removeAll()
        for w in waiters { w.resume(throwing: error) }
    }

    /// Sets the job's timer to its limit as now known; the limit only grows.
    private func rearm(_ job: Job) -> Job {
        guard let startedAt = job.startedAt else { return job }
        var job = job
        let limit = configuration.timeLimit.seconds(claimedAudioSeconds: job.claimedSeconds, decodedAudioSeconds: job.decodedSeconds,
                                                    fileBytes: job.fileBytes, channels: job.channels)
        guard limit > job.limit else { return job }
        job.limit = limit
        job.timer?.cancel()
        let elapsed = startedAt.duration(to: .now)
        let remaining = max(0, limit - Double(elapsed.components.seconds) - Double(elapsed.components.attoseconds) / 1e18)
        job.timer = timer(for: job.id, seconds: remaining, limit: limit)
        return job
    }

    private func timer(for id: String, seconds: Double, limit: Double? = nil) -> Task<Void, Never> {
        Task {
            try? await Task.sleep(for: .seconds(seconds))
            if !Task.isCancelled { await self.jobTimedOut(id, limit: limit ?? seconds) }
        }
    }

    private func jobTimedOut(_ id: String, limit: Double) {
        guard current?.id == id else { return }
        logger.error("transcription \(id) over its \(Int(limit)) s limit; killing the speech worker")
        process?.kill()
        finish(id, .failure(.timedOut(seconds: limit)))
    }

    private func handle(_ event: WorkerEvent, generation gen: Int) {
        guard gen == generation else { return }
        switch event {
        case .line(let line):
            guard let message = WorkerMessage.parse(line) else {
                logger.warning("speech worker wrote a non-protocol line: \(line.prefix(200))")
                return
            }
            handle(message)
        case .exited(let status, let stderrTail):
            process = nil
            isReady = false
            let why = "exit status \(status)" + (stderrTail.isEmpty ? "" : ": \(stderrTail)")
            if isShutDown { return }
            logger.error("speech worker exited (\(why))")
            consecutiveFailures += 1
            failReadyWaiters(.startFailed(why))
            if let job = current { finish(job.id, .failure(.workerCrashed(why))) }
            pumpSoon()
        }
    }

    private func handle(_ message: WorkerMessage) {
        switch message.type {
        case "ready":
            isReady = true
            let waiters = readyWaiters
            readyWaiters.removeAll()
            for w in waiters { w.resume() }
        case "started":
            // Now the audio length is known: set the job's real time limit.
            guard let id = message.id, var job = current, job.id == id else { return }
            job.claimedSeconds = message.audioSeconds
            job.channels = max(1, message.channels ?? job.request.channels)
            job.startedAt = .now
            job.limit = 0
            current = rearm(job)
        case "progress":
            guard var job = current, job.id == message.id else { return }
            let decoded = max(message.decodedSeconds ?? 0, message.segment?.end ?? 0)
            if decoded > job.decodedSeconds {
                job.decodedSeconds = decoded
                current = rearm(job)
            }
            job.progress(TranscriptionProgress(fraction: message.fraction ?? 0, segment: message.segment))
        case "result":
            guard let job = current, job.id == message.id else { return }
            let transcript = OfflineTranscript(
                text: message.text ?? "", segments: message.segments ?? [], language: message.language ?? "",
                audioSHA256: job.audioSHA256, model: message.model ?? job.request.model,
                modelSHA256: message.modelSHA256 ?? "", settingsJSON: message.settingsJSON,
                audioSeconds: message.audioSeconds ?? 0, processingSeconds: message.processingSeconds ?? 0)
            consecutiveFailures = 0
            finish(job.id, .success(transcript))
        case "error":
            let error = SpeechWorkerError.fromWorker(code: message.code ?? "internal", message: message.message ?? "")
            guard let job = current, job.id == message.id else {
                logger.error("speech worker error outside a job: \(error)")
                return
            }
            finish(job.id, .failure(error))
        default:
            break
        }
    }

    private func finish(_ id: String, _ result: Result<OfflineTranscript, SpeechWorkerError>) {
        guard let job = current, job.id == id else { return }
        job.timer?.cancel()
        current = nil
        job.continuation.resume(with: result)
        pumpSoon()
    }

    // MARK: - helpers

    static func sha256(of url: URL) throws -> String {
        guard let digest = FileDigest.sha256(of: url) else { throw SpeechWorkerError.audioUnreadable("\(url.path): cannot read") }
        return digest
    }
}
