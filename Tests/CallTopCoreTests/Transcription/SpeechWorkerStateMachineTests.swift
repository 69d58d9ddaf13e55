import Foundation
import Testing
@testable import CallTopCore

/// The supervisor's decisions, event by event, with no process, no Python and no clock.
@Suite struct SpeechWorkerStateMachineTests {
    typealias Machine = SpeechWorkerStateMachine
    typealias Action = Machine.Action

    static let settings = Machine.Settings(startTimeout: 120, timeLimit: JobTimeLimit(base: 30, perAudioSecond: 2, lookahead: 60, minBytesPerSecond: 1000),
                                           restart: RetrySchedule(base: 0.5, cap: 10))

    static func job(_ n: Int, bytes: Int64 = 200_000, channels: Int = 1) -> Machine.Job {
        Machine.Job(id: "job-\(n)", request: TranscriptionRequest(audio: URL(fileURLWithPath: "/audio/\(n).mp3"), channels: channels),
                    audioSHA256: "sha-\(n)", fileBytes: bytes)
    }

    static func result(_ id: String, _ text: String = "hello") -> WorkerMessage {
        .result(id: id, WorkerResult(text: text, segments: [], language: "en", model: "base", modelSHA256: "m",
                                     settingsJSON: "{}", audioSeconds: 3, processingSeconds: 1))
    }

    // MARK: - reading actions

    static func timers(_ actions: [Action]) -> [(id: Machine.TimerID, seconds: Double)] {
        var out: [(id: Machine.TimerID, seconds: Double)] = []
        for case let .startTimer(id, seconds) in actions { out.append((id, seconds)) }
        return out
    }

    static func delays(_ actions: [Action]) -> [Double] { timers(actions).map { $0.seconds } }

    static func sent(_ actions: [Action]) -> [String] {
        var out: [String] = []
        for case let .send(_, request) in actions { out.append(request.id) }
        return out
    }

    static func resumed(_ actions: [Action]) -> [String: Result<OfflineTranscript, SpeechWorkerError>] {
        var out: [String: Result<OfflineTranscript, SpeechWorkerError>] = [:]
        for case let .resumeJob(id, result) in actions { out[id] = result }
        return out
    }

    static func error(_ actions: [Action], _ id: String) -> SpeechWorkerError? {
        guard case .failure(let e)? = resumed(actions)[id] else { return nil }
        return e
    }

    static func signals(_ actions: [Action]) -> [Int32] {
        var out: [Int32] = []
        for case let .signal(_, signal) in actions { out.append(signal) }
        return out
    }

    /// A machine whose first worker is ready and running job-1.
    static func readyMachine() -> Machine {
        var m = Machine(settings: settings)
        let spawn = m.submit(job(1))
        #expect(spawn.first == .spawn(generation: 1))
        #expect(delays(spawn) == [120])
        #expect(sent(m.received(.ready(protocolVersion: 1), generation: 1, now: 0)) == ["job-1"])
        return m
    }

    // MARK: - the normal path

    @Test func jobsRunOneAtATimeInOrderOnOneWorker() {
        var m = Self.readyMachine()
        #expect(Self.sent(m.submit(Self.job(2))).isEmpty)
        #expect(m.queuedJobs == 2)
        let done = m.received(Self.result("job-1", "first"), generation: 1, now: 5)
        guard case .success(let transcript)? = Self.resumed(done)["job-1"] else {
            Issue.record("job-1 not finished: \(done)")
            return
        }
        #expect(transcript.text == "first" && transcript.audioSHA256 == "sha-1" && transcript.model == "base")
        #expect(Self.sent(done) == ["job-2"])
        #expect(!done.contains { if case .spawn = $0 { true } else { false } })
    }

    @Test func theRequestLineCarriesTheJobsOptions() {
        var m = Machine(settings: Self.settings)
        _ = m.submit(Self.job(1, channels: 2))
        let ready = m.received(.ready(protocolVersion: 1), generation: 1, now: 0)
        #expect(ready.contains(.send(generation: 1, WorkerRequest(id: "job-1", audio: "/audio/1.mp3",
                                                                 options: .init(model: "base", language: "en", channels: 2)))))
    }

    @Test func progressIsReportedForTheRunningJobOnly() {
        var m = Self.readyMachine()
        let segment = TranscriptSegment(start: 0, end: 2, text: "hi", channel: 0)
        let progress = m.received(.progress(id: "job-1", fraction: 0.5, decodedSeconds: nil, segment: segment), generation: 1, now: 1)
        #expect(progress.contains(.reportProgress(id: "job-1", TranscriptionProgress(fraction: 0.5, segment: segment))))
        #expect(m.received(.progress(id: "job-9", fraction: 0.5, decodedSeconds: nil, segment: nil), generation: 1, now: 1).isEmpty)
    }

    @Test func aWorkerErrorFailsItsJobAndAnErrorOutsideAJobIsOnlyLogged() {
        var m = Self.readyMachine()
        let failed = m.received(.error(id: "job-1", code: "audio_unreadable", message: "x"), generation: 1, now: 1)
        #expect(Self.error(failed, "job-1") == .audioUnreadable("x"))
        let stray = m.received(.error(id: nil, code: "internal", message: "y"), generation: 1, now: 1)
        #expect(stray.count == 1)
        guard case .log(.error, let text)? = stray.first else {
            Issue.record("\(stray)")
            return
        }
        #expect(text.contains("outside a job"))
    }

    // MARK: - crash

    @Test func aCrashFailsOnlyTheRunningJobAndTheNextStartsAfterABackoff() {
        var m = Self.readyMachine()
        _ = m.submit(Self.job(2))
        let crash = m.exited(generation: 1, status: 9, stderrTail: "Killed")
        #expect(Self.error(crash, "job-1") == .workerCrashed("exit status 9: Killed"))
        #expect(Self.error(crash, "job-1")?.isRetryable == true)
        #expect(Self.resumed(crash)["job-2"] == nil)
        let backoff = Self.timers(crash)
        #expect(backoff.map { $0.seconds } == [0.5])
        #expect(m.consecutiveFailures == 1)
        // The restart timer brings a new worker, which gets job-2.
        let restart = m.timerFired(backoff[0].id, now: 0.5, stderrTail: "")
        #expect(restart.first == .spawn(generation: 2))
        #expect(Self.sent(m.received(.ready(protocolVersion: 1), generation: 2, now: 1)) == ["job-2"])
    }

    @Test func aCrashWithNothingQueuedStartsNothing() {
        var m = Self.readyMachine()
        _ = m.received(Self.result("job-1"), generation: 1, now: 1)
        let crash = m.exited(generation: 1, status: 1, stderrTail: "")
        #expect(Self.timers(crash).isEmpty)
        #expect(m.worker == .none)
        // The next job waits out the backoff its failure earned.
        #expect(Self.delays(m.submit(Self.job(2))) == [0.5])
    }

    @Test func aWorkerThatDiesBeforeItIsReadyFailsTheOldestJob() {
        var m = Machine(settings: Self.settings)
        _ = m.submit(Self.job(1))
        _ = m.submit(Self.job(2))
        let died = m.exited(generation: 1, status: 1, stderrTail: "ImportError: no module named ctranslate2")
        #expect(Self.error(died, "job-1") == .startFailed("exit status 1: ImportError: no module named ctranslate2"))
        #expect(Self.resumed(died)["job-2"] == nil)
        #expect(Self.delays(died) == [0.5])
    }

    @Test func eventsOfAnEarlierWorkerAreIgnored() {
        var m = Self.readyMachine()
        _ = m.submit(Self.job(2))
        let crash = m.exited(generation: 1, status: 9, stderrTail: "")
        _ = m.timerFired(Self.timers(crash)[0].id, now: 1, stderrTail: "")
        #expect(Self.sent(m.received(.ready(protocolVersion: 1), generation: 2, now: 2)) == ["job-2"])
        #expect(m.received(Self.result("job-2"), generation: 1, now: 3).isEmpty)
        #expect(m.exited(generation: 1, status: 9, stderrTail: "").isEmpty)
        #expect(m.current?.job.id == "job-2" && m.consecutiveFailures == 1)
    }

    // MARK: - hang

    @Test func aHungJobIsKilledAtItsLimitAndTheWorkerRestartedForTheNext() throws {
        var m = Machine(settings: Self.settings)
        _ = m.submit(Self.job(1, bytes: 200_000))
        _ = m.submit(Self.job(2))
        let ready = m.received(.ready(protocolVersion: 1), generation: 1, now: 0)
        // Before `started`: a model load plus a first minute of audio.
        #expect(Self.delays(ready) == [30 + 60 * 2 + 30])
        // It claims 100 hours; 200 KB holds at most 200 s, and nothing is decoded yet: one window.
        let started = m.received(.started(id: "job-1", audioSeconds: 360_000, channels: 1), generation: 1, now: 2)
        let limit = try #require(Self.timers(started).first)
        #expect(limit.seconds == 30 + 2 * 60)
        let fired = m.timerFired(limit.id, now: 152, stderrTail: "")
        #expect(Self.error(fired, "job-1") == .timedOut(seconds: 150))
        #expect(Self.signals(fired) == [SIGKILL])
        // Nothing is sent to the dying worker; its exit starts the next after a backoff.
        #expect(Self.sent(fired).isEmpty)
        let exit = m.exited(generation: 1, status: 9, stderrTail: "")
        #expect(Self.resumed(exit).isEmpty)
        #expect(Self.delays(exit) == [0.5])
    }

    @Test func decodedAudioExtendsTheLimitAndTheReplacedTimerNoLongerCounts() {
        var m = Self.readyMachine()
        let started = m.received(.started(id: "job-1", audioSeconds: 360_000, channels: 1), generation: 1, now: 10)
        let first = Self.timers(started)[0]
        // 100 s decoded 40 s in: the limit is 30 + 2 × 160 from the start, so 350 − 40 remain.
        let progress = m.received(.progress(id: "job-1", fraction: 0.1, decodedSeconds: 100, segment: nil), generation: 1, now: 50)
        #expect(progress.contains(.cancelTimer(first.id)))
        let second = Self.timers(progress)
        #expect(second.map { $0.seconds } == [350 - 40])
        #expect(m.timerFired(first.id, now: 160, stderrTail: "").isEmpty)
        #expect(m.current?.job.id == "job-1")
        // Progress that decodes nothing new leaves the timer alone.
        let same = m.received(.progress(id: "job-1", fraction: 0.1, decodedSeconds: 100, segment: nil), generation: 1, now: 60)
        #expect(Self.timers(same).isEmpty)
        #expect(Self.error(m.timerFired(second[0].id, now: 360, stderrTail: ""), "job-1") == .timedOut(seconds: 350))
    }

    @Test func twoChannelsDoubleTheAllowance() {
        var m = Machine(settings: Self.settings)
        _ = m.submit(Self.job(1, bytes: 48_000, channels: 2))
        _ = m.received(.ready(protocolVersion: 1), generation: 1, now: 0)
        let started = m.received(.started(id: "job-1", audioSeconds: 12, channels: nil), generation: 1, now: 0)
        #expect(Self.delays(started) == [30 + 4 * 12])
    }

    // MARK: - ready time-out

    @Test func aWorkerThatIsNotReadyInTimeIsKilledAndFailsTheOldestJobAndTheWarmUps() {
        var m = Machine(settings: Self.settings)
        let spawn = m.warmUp()
        _ = m.submit(Self.job(1))
        _ = m.submit(Self.job(2))
        let readyTimer = Self.timers(spawn)[0].id
        let fired = m.timerFired(readyTimer, now: 120, stderrTail: "loading model")
        let why = SpeechWorkerError.startFailed("not ready after 120 s: loading model")
        #expect(Self.signals(fired) == [SIGKILL])
        #expect(Self.error(fired, "job-1") == why)
        #expect(Self.resumed(fired)["job-2"] == nil)
        #expect(fired.contains(.resumeWarmUps(why)))
        // A late ready from the killed worker does not revive it.
        #expect(m.received(.ready(protocolVersion: 1), generation: 1, now: 121).isEmpty)
        let exit = m.exited(generation: 1, status: 9, stderrTail: "")
        #expect(Self.delays(exit) == [0.5])
    }

    @Test func readyCancelsTheReadyTimerAndResumesWarmUps() {
        var m = Machine(settings: Self.settings)
        let spawn = m.warmUp()
        let readyTimer = Self.timers(spawn)[0].id
        let ready = m.received(.ready(protocolVersion: 1), generation: 1, now: 3)
        #expect(ready == [.cancelTimer(readyTimer), .resumeWarmUps(nil)])
        #expect(m.timerFired(readyTimer, now: 120, stderrTail: "").isEmpty)
        #expect(m.warmUp() == [.resumeWarmUps(nil)])
    }

    // MARK: - backoff

    @Test func restartsBackOffByRetryScheduleUntilAJobSucceeds() {
        var m = Machine(settings: Self.settings)
        _ = m.submit(Self.job(0))
        var delays: [Double] = []
        for n in 1...7 {
            _ = m.submit(Self.job(n))
            let died = m.exited(generation: m.generation, status: 1, stderrTail: "")
            let timer = Self.timers(died)
            delays += timer.map { $0.seconds }
            #expect(m.timerFired(timer[0].id, now: 0, stderrTail: "").first == .spawn(generation: n + 1))
        }
        #expect(delays == [0.5, 1, 2, 4, 8, 10, 10])
        // A result resets the count: the next crash waits the first delay again.
        _ = m.received(.ready(protocolVersion: 1), generation: m.generation, now: 0)
        _ = m.received(Self.result("job-7"), generation: m.generation, now: 0)
        _ = m.submit(Self.job(8))
        _ = m.submit(Self.job(9))
        #expect(Self.delays(m.exited(generation: m.generation, status: 1, stderrTail: "")) == [0.5])
    }

    @Test func aWorkerThatCannotBeSpawnedFailsTheOldestJobAndRetriesForTheNext() {
        var m = Machine(settings: Self.settings)
        _ = m.submit(Self.job(1))
        _ = m.submit(Self.job(2))
        let failed = m.spawnFailed(generation: 1, .startFailed("/venv/bin/python: no such file"))
        #expect(Self.error(failed, "job-1") == .startFailed("/venv/bin/python: no such file"))
        #expect(Self.delays(failed) == [0.5])
        #expect(m.queuedJobs == 1)
    }

    // MARK: - a worker that stops reading

    @Test func aBrokenPipeRequeuesTheJobAndRestartsTheWorker() {
        var m = Self.readyMachine()
        let broken = m.sendFailed(generation: 1)
        #expect(Self.signals(broken) == [SIGKILL])
        #expect(Self.resumed(broken).isEmpty)
        #expect(m.queue.map(\.id) == ["job-1"] && m.current == nil)
        let exit = m.exited(generation: 1, status: 9, stderrTail: "")
        #expect(Self.resumed(exit).isEmpty)
        _ = m.timerFired(Self.timers(exit)[0].id, now: 1, stderrTail: "")
        #expect(Self.sent(m.received(.ready(protocolVersion: 1), generation: 2, now: 2)) == ["job-1"])
    }

    // MARK: - shutdown

    @Test func shutdownFailsEveryWaiterThenEscalatesFromEOFToSIGTERMToSIGKILL() {
        var m = Self.readyMachine()
        _ = m.submit(Self.job(2))
        let stop = m.shutdown()
        #expect(Self.error(stop, "job-1") == .shutDown)
        #expect(Self.error(stop, "job-2") == .shutDown)
        #expect(stop.contains(.closeInput(generation: 1)))
        let grace = Self.timers(stop)
        #expect(grace.map { $0.seconds } == [3])
        #expect(m.isShutDown)
        #expect(Self.error(m.submit(Self.job(3)), "job-3") == .shutDown)
        #expect(m.warmUp() == [.resumeWarmUps(.shutDown)])
        let term = m.timerFired(grace[0].id, now: 3, stderrTail: "")
        #expect(Self.signals(term) == [SIGTERM])
        let kill = m.timerFired(Self.timers(term)[0].id, now: 4, stderrTail: "")
        #expect(kill == [.signal(generation: 1, SIGKILL), .finishShutdown])
        #expect(m.worker == .shutDown)
        #expect(m.shutdown() == [.finishShutdown])
    }

    @Test func aWorkerThatExitsOnEOFFinishesTheShutdownAtOnce() {
        var m = Self.readyMachine()
        let stop = m.shutdown()
        let exit = m.exited(generation: 1, status: 0, stderrTail: "")
        #expect(exit == [.cancelTimer(Self.timers(stop)[0].id), .finishShutdown])
        #expect(m.consecutiveFailures == 0)
    }

    @Test func shutdownWithoutAWorkerFinishesAtOnceAndFailsWarmUps() {
        var m = Machine(settings: Self.settings)
        #expect(m.shutdown() == [.finishShutdown])
        var starting = Machine(settings: Self.settings)
        let spawn = starting.warmUp()
        let stop = starting.shutdown()
        #expect(stop.contains(.cancelTimer(Self.timers(spawn)[0].id)))
        #expect(stop.contains(.resumeWarmUps(.shutDown)))
        #expect(stop.contains(.closeInput(generation: 1)))
    }
}
