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
/// The decisions are `SpeechWorkerStateMachine`'s; this actor performs its
/// actions (process, pipes, timers, continuations) and feeds it the events.
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
        /// Restart delay after consecutive failures: `base`, doubling, up to `cap`
        /// (the schedule's ceiling; `maxAttempts` is not used: a job always gets a worker).
        public var restartBackoff = RetrySchedule(base: 0.5, cap: 10)

        public init(environment: SpeechEnvironment) { self.environment = environment }
    }

    private typealias Machine = SpeechWorkerStateMachine

    private struct Waiting {
        let continuation: CheckedContinuation<Result<OfflineTranscript, SpeechWorkerError>, Never>
        let progress: @Sendable (TranscriptionProgress) -> Void
    }

    public let configuration: Configuration
    private let logger: Logger
    private var machine: Machine
    private var process: WorkerProcess?
    private var generation = 0
    /// Reads the running process's events into the machine; ends with the process.
    private var eventReader: Task<Void, Never>?
    private var timers: [Machine.TimerID: Task<Void, Never>] = [:]
    private var jobs: [String: Waiting] = [:]
    private var warmUps: [CheckedContinuation<SpeechWorkerError?, Never>] = []
    private var shutdowns: [CheckedContinuation<Void, Never>] = []
    private var jobCounter = 0
    private let origin = ContinuousClock.now

    public init(configuration: Configuration, logger: Logger = Logger(label: "calltop.speech")) {
        self.configuration = configuration
        self.logger = logger
        machine = Machine(settings: .init(startTimeout: configuration.startTimeout, timeLimit: configuration.timeLimit,
                                          restart: configuration.restartBackoff))
    }

    /// Process id of the running worker, if one runs (tests kill it by this).
    public var workerPID: Int32? { process.flatMap { $0.isRunning ? $0.pid : nil } }
    public var queuedJobs: Int { machine.queuedJobs }

    /// Transcribes one file.
    public func transcribe(_ request: TranscriptionRequest,
                           progress: @escaping @Sendable (TranscriptionProgress) -> Void = { _ in })
        async throws(SpeechWorkerError) -> OfflineTranscript {
        if machine.isShutDown { throw .shutDown }
        if let problem = configuration.environment.installationProblem() { throw problem }
        // Hash the bytes before they are transcribed: provenance names the
        // exact file content the transcript came from.
        let sha = try Self.sha256(of: request.audio)
        let bytes = (try? FileManager.default.attributesOfItem(atPath: request.audio.path)[.size] as? NSNumber)?.int64Value ?? 0
        jobCounter += 1
        let job = Machine.Job(id: "job-\(jobCounter)", request: request, audioSHA256: sha, fileBytes: bytes)
        let result = await withCheckedContinuation { continuation in
            jobs[job.id] = Waiting(continuation: continuation, progress: progress)
            perform(machine.submit(job))
        }
        return try result.get()
    }

    /// Starts the worker now (optional: `transcribe` starts it on first need).
    public func warmUp() async throws(SpeechWorkerError) {
        if let problem = configuration.environment.installationProblem() { throw problem }
        let failure = await withCheckedContinuation { continuation in
            warmUps.append(continuation)
            perform(machine.warmUp())
        }
        if let failure { throw failure }
    }

    /// Fails queued jobs, lets the worker exit on EOF, kills it if it lingers.
    public func shutdown() async {
        await withCheckedContinuation { continuation in
            shutdowns.append(continuation)
            perform(machine.shutdown())
        }
    }

    // MARK: - events in

    private var now: Double {
        origin.duration(to: .now).inSeconds
    }

    private func received(_ event: WorkerEvent, generation gen: Int) {
        switch event {
        case .line(let line):
            perform(machine.received(line: line, generation: gen, now: now))
        case .exited(let status, let stderrTail):
            if gen == generation { process = nil }
            perform(machine.exited(generation: gen, status: status, stderrTail: stderrTail))
        }
    }

    private func timerFired(_ timer: Machine.TimerID) {
        guard timers.removeValue(forKey: timer) != nil else { return }
        perform(machine.timerFired(timer, now: now, stderrTail: process?.recentStderr() ?? ""))
    }

    // MARK: - actions out

    /// Performs actions in order; what they cause (a failed spawn or write) is fed back and performed after them.
    private func perform(_ actions: [Machine.Action]) {
        var pending = actions[...]
        while let action = pending.popFirst() {
            switch action {
            case .spawn(let gen):
                pending += spawn(gen)
            case let .send(gen, request):
                do {
                    guard gen == generation, let process else { throw SpeechWorkerError.shutDown }
                    try process.send(try request.line())
                } catch {
                    // Broken pipe: nobody reads the worker's stdin.
                    pending += machine.sendFailed(generation: gen)
                }
            case let .startTimer(timer, seconds):
                timers[timer] = Task { [weak self] in
                    try? await Task.sleep(for: .seconds(seconds))
                    if !Task.isCancelled { await self?.timerFired(timer) }
                }
            case .cancelTimer(let timer):
                timers.removeValue(forKey: timer)?.cancel()
            case let .signal(gen, signal):
                if gen == generation { process?.kill(signal) }
            case .closeInput(let gen):
                if gen == generation { process?.closeInput() }
            case let .resumeJob(id, result):
                jobs.removeValue(forKey: id)?.continuation.resume(returning: result)
            case let .reportProgress(id, progress):
                jobs[id]?.progress(progress)
            case .resumeWarmUps(let failure):
                let waiting = warmUps
                warmUps.removeAll()
                for w in waiting { w.resume(returning: failure) }
            case .finishShutdown:
                process = nil
                eventReader?.cancel()
                eventReader = nil
                for timer in timers.values { timer.cancel() }
                timers.removeAll()
                let waiting = shutdowns
                shutdowns.removeAll()
                for w in waiting { w.resume() }
            case let .log(level, message):
                logger.log(level: level, "\(message)")
            }
        }
    }

    /// Starts process `gen`; returns what the machine says to do when it could not.
    private func spawn(_ gen: Int) -> [Machine.Action] {
        let environment = configuration.environment
        if let problem = environment.installationProblem() { return machine.spawnFailed(generation: gen, problem) }
        let proc = WorkerProcess(environment: environment, preload: configuration.preload)
        do {
            try proc.start()
        } catch {
            return machine.spawnFailed(generation: gen, .startFailed("\(environment.python.path): \(error)"))
        }
        process = proc
        generation = gen
        logger.info("speech worker started, pid \(proc.pid)")
        eventReader = Task { [weak self, events = proc.events] in
            for await event in events { await self?.received(event, generation: gen) }
        }
        return []
    }

    // MARK: - helpers

    static func sha256(of url: URL) throws(SpeechWorkerError) -> String {
        guard let digest = FileDigest.sha256(of: url) else { throw .audioUnreadable("\(url.path): cannot read") }
        return digest
    }
}
