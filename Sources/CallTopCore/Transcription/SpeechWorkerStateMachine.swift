import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The speech worker's life as a value, in the shape of async-http-client's
/// `HTTPConnectionPool.StateMachine`: each event is a `mutating func` that
/// returns the actions to perform, in order. It does no I/O and reads no
/// clock (events carry `now`, seconds on a monotonic clock), so crashes,
/// hangs, ready time-outs and restart backoff are tested without a process.
/// `SpeechWorker` performs the actions and feeds the events.
///
/// One process at a time: a new one is spawned only after the last one's exit
/// was seen, so no job is ever sent to a worker that is dying.
struct SpeechWorkerStateMachine: Sendable {
    struct Settings: Sendable, Equatable {
        /// How long the worker may take to import and load models.
        var startTimeout: Double = 120
        var timeLimit = JobTimeLimit()
        /// Restart delay after consecutive failures: its ceiling, without jitter
        /// (one local process has no herd to spread).
        var restart = RetrySchedule(base: 0.5, cap: 10)
        /// After stdin is closed at shutdown: the wait for a clean exit, then after SIGTERM.
        var exitGrace: Double = 3
        var terminateGrace: Double = 1
    }

    /// A job as submitted: what to send and what the time limit is computed from.
    struct Job: Sendable, Equatable {
        let id: String
        let request: TranscriptionRequest
        let audioSHA256: String
        let fileBytes: Int64
    }

    struct TimerID: Hashable, Sendable { let raw: Int }

    enum Action: Equatable, Sendable {
        case spawn(generation: Int)
        case send(generation: Int, WorkerRequest)
        case startTimer(TimerID, seconds: Double)
        case cancelTimer(TimerID)
        case signal(generation: Int, Int32)
        /// EOF on stdin: the worker finishes and exits.
        case closeInput(generation: Int)
        case resumeJob(id: String, Result<OfflineTranscript, SpeechWorkerError>)
        case reportProgress(id: String, TranscriptionProgress)
        /// Every waiting `warmUp()`: nil when the worker is ready.
        case resumeWarmUps(SpeechWorkerError?)
        /// Every waiting `shutdown()`; the process is no longer ours.
        case finishShutdown
        case log(Logger.Level, String)
    }

    /// The process, if any, and what it is doing.
    enum Worker: Equatable, Sendable {
        case none
        case backingOff(TimerID)
        case starting(generation: Int, readyTimer: TimerID)
        case ready(generation: Int)
        /// Killed or unusable; its exit is awaited before another starts.
        case exiting(generation: Int)
        /// Shutting down: stdin closed, then SIGTERM (`terminated`), then SIGKILL.
        case stopping(generation: Int, timer: TimerID, terminated: Bool)
        case shutDown
    }

    /// The job the worker has, and what its time limit is computed from (JobTimeLimit).
    struct Running: Sendable, Equatable {
        let job: Job
        var timer: TimerID
        var claimedSeconds: Double?
        var decodedSeconds: Double = 0
        var channels = 1
        var startedAt: Double?
        var limit: Double
    }

    let settings: Settings
    private(set) var worker = Worker.none
    private(set) var queue: [Job] = []
    private(set) var current: Running?
    private(set) var consecutiveFailures = 0
    private(set) var generation = 0
    private var warmUps = 0
    private var timerCount = 0

    init(settings: Settings) { self.settings = settings }

    var isShutDown: Bool {
        switch worker {
        case .stopping, .shutDown: return true
        default: return false
        }
    }

    var queuedJobs: Int { queue.count + (current == nil ? 0 : 1) }

    // MARK: - events from callers

    mutating func submit(_ job: Job) -> [Action] {
        if isShutDown { return [.resumeJob(id: job.id, .failure(.shutDown))] }
        queue.append(job)
        return advance()
    }

    mutating func warmUp() -> [Action] {
        if isShutDown { return [.resumeWarmUps(.shutDown)] }
        if case .ready = worker { return [.resumeWarmUps(nil)] }
        warmUps += 1
        return advance()
    }

    /// Fails what waits, then lets the worker exit on EOF, escalating to SIGTERM and SIGKILL.
    mutating func shutdown() -> [Action] {
        let live: Int?
        var actions: [Action] = []
        switch worker {
        case .stopping: return []
        case .shutDown: return [.finishShutdown]
        case .none: live = nil
        case .backingOff(let timer):
            live = nil
            actions.append(.cancelTimer(timer))
        case .starting(let gen, let readyTimer):
            live = gen
            actions.append(.cancelTimer(readyTimer))
        case .ready(let gen), .exiting(let gen): live = gen
        }
        actions += queue.map { .resumeJob(id: $0.id, .failure(.shutDown)) }
        queue.removeAll()
        if let running = current {
            current = nil
            actions += [.cancelTimer(running.timer), .resumeJob(id: running.job.id, .failure(.shutDown))]
        }
        actions += failWarmUps(.shutDown)
        guard let gen = live else {
            worker = .shutDown
            return actions + [.finishShutdown]
        }
        let timer = newTimer()
        worker = .stopping(generation: gen, timer: timer, terminated: false)
        return actions + [.closeInput(generation: gen), .startTimer(timer, seconds: settings.exitGrace)]
    }

    // MARK: - events from the process and the timers

    /// The process could not be started (or the engine is not installed).
    mutating func spawnFailed(generation gen: Int, _ error: SpeechWorkerError) -> [Action] {
        guard case .starting(gen, let readyTimer) = worker else { return [] }
        consecutiveFailures += 1
        worker = .none
        return [.cancelTimer(readyTimer)] + failStart(error) + advance()
    }

    /// Writing the request failed: nobody reads the worker's stdin any more, so
    /// it can take no job. The job goes back to the head of the queue.
    mutating func sendFailed(generation gen: Int) -> [Action] {
        guard case .ready(gen) = worker, let running = current else { return [] }
        current = nil
        queue.insert(running.job, at: 0)
        worker = .exiting(generation: gen)
        return [.cancelTimer(running.timer), .log(.warning, "speech worker stopped reading requests; restarting it"),
                .signal(generation: gen, SIGKILL)]
    }

    mutating func received(line: String, generation gen: Int, now: Double) -> [Action] {
        guard gen == generation else { return [] }
        guard let message = WorkerMessage.parse(line) else {
            return [.log(.warning, "speech worker wrote a non-protocol line: \(line.prefix(200))")]
        }
        return received(message, generation: gen, now: now)
    }

    mutating func received(_ message: WorkerMessage, generation gen: Int, now: Double) -> [Action] {
        guard gen == generation else { return [] }
        switch message {
        case .ready:
            guard case .starting(gen, let readyTimer) = worker else { return [] }
            worker = .ready(generation: gen)
            let waiting = warmUps > 0 ? [Action.resumeWarmUps(nil)] : []
            warmUps = 0
            return [.cancelTimer(readyTimer)] + waiting + advance()
        case let .started(id, audioSeconds, channels):
            // Now the audio length is known: set the job's real time limit.
            guard var running = current, running.job.id == id else { return [] }
            running.claimedSeconds = audioSeconds
            running.channels = max(1, channels ?? running.job.request.channels)
            running.startedAt = now
            running.limit = 0
            return rearm(running, now: now)
        case let .progress(id, fraction, decodedSeconds, segment):
            guard var running = current, running.job.id == id else { return [] }
            let decoded = max(decodedSeconds ?? 0, segment?.end ?? 0)
            var actions: [Action] = []
            if decoded > running.decodedSeconds {
                running.decodedSeconds = decoded
                actions = rearm(running, now: now)
            }
            return actions + [.reportProgress(id: id, TranscriptionProgress(fraction: fraction ?? 0, segment: segment))]
        case let .result(id, result):
            guard let running = current, running.job.id == id else { return [] }
            consecutiveFailures = 0
            let job = running.job
            return finish(.success(OfflineTranscript(
                text: result.text, segments: result.segments, language: result.language, audioSHA256: job.audioSHA256,
                model: result.model ?? job.request.model, modelSHA256: result.modelSHA256, settingsJSON: result.settingsJSON,
                audioSeconds: result.audioSeconds, processingSeconds: result.processingSeconds)))
        case let .error(id, code, text):
            let error = SpeechWorkerError.fromWorker(code: code, message: text)
            guard let running = current, running.job.id == id else {
                return [.log(.error, "speech worker error outside a job: \(error)")]
            }
            return finish(.failure(error))
        case .other:
            return []
        }
    }

    mutating func exited(generation gen: Int, status: Int32, stderrTail: String) -> [Action] {
        guard gen == generation else { return [] }
        let why = "exit status \(status)" + (stderrTail.isEmpty ? "" : ": \(stderrTail)")
        switch worker {
        case .none, .backingOff, .shutDown:
            return []
        case .stopping(_, let timer, _):
            worker = .shutDown
            return [.cancelTimer(timer), .finishShutdown]
        case .starting(_, let readyTimer):
            consecutiveFailures += 1
            worker = .none
            return [.cancelTimer(readyTimer), .log(.error, "speech worker exited (\(why))")]
                + failStart(.startFailed(why)) + advance()
        case .ready, .exiting:
            consecutiveFailures += 1
            worker = .none
            let log = Action.log(.error, "speech worker exited (\(why))")
            // A crash fails only the job that was running.
            return [log] + (current == nil ? advance() : finish(.failure(.workerCrashed(why))))
        }
    }

    /// `stderrTail`: the worker's last stderr lines, for the ready time-out's message.
    mutating func timerFired(_ timer: TimerID, now: Double, stderrTail: String) -> [Action] {
        switch worker {
        case .backingOff(timer):
            return spawn()
        case .starting(let gen, timer):
            let seconds = settings.startTimeout
            worker = .exiting(generation: gen)
            return [.log(.error, "speech worker did not get ready in \(seconds) s; killing it"), .signal(generation: gen, SIGKILL)]
                + failStart(.startFailed("not ready after \(Int(seconds)) s: \(stderrTail)"))
        case .stopping(let gen, timer, let terminated):
            if terminated {
                worker = .shutDown
                return [.signal(generation: gen, SIGKILL), .finishShutdown]
            }
            let next = newTimer()
            worker = .stopping(generation: gen, timer: next, terminated: true)
            return [.signal(generation: gen, SIGTERM), .startTimer(next, seconds: settings.terminateGrace)]
        default:
            guard let running = current, running.timer == timer, case .ready(let gen) = worker else { return [] }
            worker = .exiting(generation: gen)
            return [.log(.error, "transcription \(running.job.id) over its \(Int(running.limit)) s limit; killing the speech worker"),
                    .signal(generation: gen, SIGKILL)]
                + finish(.failure(.timedOut(seconds: running.limit)))
        }
    }

    // MARK: - steps

    /// Starts a worker when one is needed, or gives the next job to the ready one.
    private mutating func advance() -> [Action] {
        switch worker {
        case .none:
            guard !queue.isEmpty || warmUps > 0 else { return [] }
            guard consecutiveFailures > 0 else { return spawn() }
            let delay = settings.restart.ceiling(afterFailures: consecutiveFailures)
            let timer = newTimer()
            worker = .backingOff(timer)
            return [.log(.info, "restarting speech worker in \(delay) s (failure \(consecutiveFailures))"),
                    .startTimer(timer, seconds: delay)]
        case .ready(let gen):
            guard current == nil, !queue.isEmpty else { return [] }
            let job = queue.removeFirst()
            // Until the worker says how long the audio is, allow for loading
            // a model and a first minute of audio.
            let t = settings.timeLimit
            let limit = t.base + t.lookahead * t.perAudioSecond + 30
            let timer = newTimer()
            current = Running(job: job, timer: timer, channels: job.request.channels, limit: limit)
            let request = WorkerRequest(id: job.id, audio: job.request.audio.path,
                                        options: .init(model: job.request.model, language: job.request.language,
                                                       channels: job.request.channels))
            return [.startTimer(timer, seconds: limit), .send(generation: gen, request)]
        case .backingOff, .starting, .exiting, .stopping, .shutDown:
            return []
        }
    }

    private mutating func spawn() -> [Action] {
        generation += 1
        let timer = newTimer()
        worker = .starting(generation: generation, readyTimer: timer)
        return [.spawn(generation: generation), .startTimer(timer, seconds: settings.startTimeout)]
    }

    /// A worker that did not get ready fails the oldest job and every warm-up.
    private mutating func failStart(_ error: SpeechWorkerError) -> [Action] {
        var actions: [Action] = []
        if !queue.isEmpty { actions.append(.resumeJob(id: queue.removeFirst().id, .failure(error))) }
        return actions + failWarmUps(error)
    }

    private mutating func failWarmUps(_ error: SpeechWorkerError) -> [Action] {
        guard warmUps > 0 else { return [] }
        warmUps = 0
        return [.resumeWarmUps(error)]
    }

    private mutating func finish(_ result: Result<OfflineTranscript, SpeechWorkerError>) -> [Action] {
        guard let running = current else { return [] }
        current = nil
        return [.cancelTimer(running.timer), .resumeJob(id: running.job.id, result)] + advance()
    }

    /// Sets the job's timer to its limit as now known; the limit only grows.
    private mutating func rearm(_ running: Running, now: Double) -> [Action] {
        var running = running
        defer { current = running }
        guard let startedAt = running.startedAt else { return [] }
        let limit = settings.timeLimit.seconds(claimedAudioSeconds: running.claimedSeconds, decodedAudioSeconds: running.decodedSeconds,
                                               fileBytes: running.job.fileBytes, channels: running.channels)
        guard limit > running.limit else { return [] }
        let old = running.timer
        running.limit = limit
        running.timer = newTimer()
        return [.cancelTimer(old), .startTimer(running.timer, seconds: max(0, limit - (now - startedAt)))]
    }

    private mutating func newTimer() -> TimerID {
        timerCount += 1
        return TimerID(raw: timerCount)
    }
}
