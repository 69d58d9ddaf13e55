import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A fake Twilio REST API (2010-04-01 calls and recordings) on 127.0.0.1,
/// plus a second "off-host" listener that `redirect_offhost` sends media to.
public final class TwilioSimulator: Sendable {
    public let config: SimulatorConfig

    struct Runtime: Sendable {
        let generator: CallGenerator
        let clips: [LoadedClip]
        let scenarios: ScenarioBook
    }

    struct Listener: Sendable {
        let port: Int
        let group: ServiceGroup
        let task: Task<Void, any Error>
    }

    struct Listeners: Sendable {
        var apiPort = 0
        var offhostPort = 0
        var running: [Listener] = []
    }

    struct Log: Sendable {
        var requests: [RecordedRequest] = []
        var counters: [String: Int] = [:]
        var inFlight = 0
        var listRequests = 0
        var peakInFlight = 0
        var requestNumber: UInt64 = 0
    }

    private let runtimeBox = Mutex<Runtime?>(nil)
    let listeners = Mutex(Listeners())
    let log = Mutex(Log())
    let logger: Logger
    let vault: EncryptionVault  // #15

    public init(config: SimulatorConfig) {
        self.config = config
        self.vault = EncryptionVault(seed: config.seed)
        var logger = Logger(label: "calltop.simulator")
        logger.logLevel = .warning
        self.logger = logger
    }

    /// Synthesises (or loads from the cache) the audio and binds both listeners.
    /// Returns the API port.
    @discardableResult
    public func start() async throws -> Int {
        _ = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Runtime, any Error>) in
            // Loading may run espeak-ng/sox/lame for a few seconds the first time:
            // keep that off the cooperative pool and off Dispatch's few workers,
            // which Process itself needs to notice the tools exiting.
            Thread {
                continuation.resume(with: Result { try self.runtime() })
            }.start()
        }
        let api = try await Self.listen(port: config.port, logger: logger) { request in
            await self.respondAPI(request)
        }
        let offhost = try await Self.listen(port: config.offhostPort, logger: logger) { request in
            await self.respondOffhost(request)
        }
        listeners.withLock {
            $0.apiPort = api.port
            $0.offhostPort = offhost.port
            $0.running += [api, offhost]
        }
        return api.port
    }

    /// Stops both listeners: lets answers in flight finish for up to a
    /// second (a `slow` stream may not), then cuts what is left.
    public func stop() async {
        let running = listeners.withLock { state -> [Listener] in
            defer { state.running = [] }
            return state.running
        }
        for listener in running { await listener.group.triggerGracefulShutdown() }
        let deadline = Task {
            try await Task.sleep(for: .seconds(1))
            for listener in running { listener.task.cancel() }
        }
        for listener in running { _ = await listener.task.result }
        deadline.cancel()
    }

    public var port: Int { listeners.withLock { $0.apiPort } }
    public var baseURL: String { "http://127.0.0.1:\(port)" }
    public var offhostBaseURL: String { "http://127.0.0.1:\(listeners.withLock { $0.offhostPort })" }

    /// Every request served by either listener, oldest first (`listener` tells them apart).
    public func requests() -> [RecordedRequest] {
        log.withLock { $0.requests }
    }

    /// Every request the off-host listener got, with whether credentials leaked to it.
    /// The most API requests that were ever in flight at once (those refused over the cap included).
    public var peakInFlight: Int { log.withLock { $0.peakInFlight } }

    public func offhostRequests() -> [RecordedRequest] {
        log.withLock { $0.requests.filter { $0.listener == "offhost" } }
    }

    /// Newest first, like `Calls.json`. Before `start()` this loads (or
    /// synthesises) the audio on the calling thread, since durations come from it;
    /// it returns nothing if that fails.
    public func calls(limit: Int) -> [SimulatedCall] {
        guard let rt = try? runtime() else { return [] }
        return (0..<min(max(0, limit), rt.generator.count)).map(rt.generator.call)
    }

    /// Every recording, newest first like `Recordings.json`. Walks the whole
    /// account: with `many_calls` prefer `recordings(limit:)`.
    public func recordings() -> [SimulatedRecording] {
        recordings(limit: Int.max)
    }

    public func recordings(limit: Int) -> [SimulatedRecording] {
        guard let rt = try? runtime() else { return [] }
        var result: [SimulatedRecording] = []
        var i = 0
        while i < rt.generator.count, result.count < limit {
            for seed in rt.generator.recordings(ofCall: i).reversed() where result.count < limit {
                result.append(simulatedRecording(seed, rt))
            }
            i += 1
        }
        return result
    }

    public func recording(sid: String) -> SimulatedRecording? {
        guard let rt = try? runtime(), let seed = rt.generator.recording(sid: sid) else { return nil }
        return simulatedRecording(seed, rt)
    }

    /// How many times a counted scenario (not_ready, rate_limited, flaky,
    /// truncated) has fired for a recording so far.
    public func scenarioCount(_ name: String, recordingSid: String) -> Int {
        log.withLock { $0.counters["\(recordingSid)|\(name)"] ?? 0 }
    }

    // MARK: Internals

    func runtime() throws -> Runtime {
        try runtimeBox.withLock { box in
            if let rt = box { return rt }
            let clips = try SimulatorAudio.load(cacheDir: config.audioCacheDir)
            let generator = CallGenerator(
                accountSid: config.accountSid, seed: config.seed, now: config.now,
                count: config.effectiveCallCount, clipSeconds: clips.map(\.durationSeconds))
            let rt = Runtime(generator: generator, clips: clips, scenarios: ScenarioBook(rules: config.scenarios, generator: generator))
            box = rt
            return rt
        }
    }

    private func simulatedRecording(_ seed: RecordingSeed, _ rt: Runtime) -> SimulatedRecording {
        let clip = rt.clips[seed.clipIndex]
        let scenarios = rt.scenarios.scenarios(for: seed.sid)
        return SimulatedRecording(
            sid: seed.sid, callSid: seed.callSid, callIndex: seed.callIndex,
            status: scenarios.contains(.absent) ? "absent" : "completed",
            channels: seed.channels, source: seed.source, durationSeconds: seed.durationSeconds,
            startTime: Date(timeIntervalSince1970: Double(seed.start)),
            mp3Bytes: clip.monoMp3.readableBytes, mp3SHA256: clip.monoMp3SHA256,
            wavBytes: clip.monoWav.readableBytes, transcript: clip.clip.transcript, clipID: clip.clip.id,
            scenarios: scenarios,
            uri: "\(TwilioPayloads.accountPath(config.accountSid))/Recordings/\(seed.sid).json")
    }

    /// Uses up one of `limit` tries of a counted scenario; true while some remain.
    func take(_ name: String, _ sid: String, limit: Int) -> Bool {
        log.withLock { state in
            let key = "\(sid)|\(name)"
            let used = state.counters[key] ?? 0
            guard used < limit else { return false }
            state.counters[key] = used + 1
            return true
        }
    }

    func used(_ name: String, _ sid: String) -> Int {
        log.withLock { $0.counters["\(sid)|\(name)"] ?? 0 }
    }

    static func listen(
        port: Int, logger: Logger, handler: @escaping @Sendable (Request) async -> Response
    ) async throws -> Listener {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            responder: CallbackResponder<BasicRequestContext> { request, _ in await handler(request) },
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: port)),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: logger
        )
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        for await bound in ports {
            return Listener(port: bound, group: group, task: task)
        }
        // The server stopped before it ever listened: surface why.
        try await task.value
        throw SimulatorError.couldNotListen(port)
    }
}

public enum SimulatorError: Error, CustomStringConvertible, LocalizedError {
    case couldNotListen(Int)

    public var description: String {
        switch self {
        case .couldNotListen(let port): "the simulator could not listen on 127.0.0.1:\(port)"
        }
    }

    public var errorDescription: String? { description }
}

/// Which scenarios apply to which recording, resolved once at start.
struct ScenarioBook: Sendable {
    let forAll: [Scenario]
    let bySid: [String: [Scenario]]

    init(rules: [ScenarioRule], generator: CallGenerator) {
        var forAll: [Scenario] = []
        var bySid: [String: [Scenario]] = [:]
        let wantedIndexes = rules.compactMap { rule -> Int? in
            if case .recordingIndex(let i) = rule.target { return i }
            return nil
        }
        // Index targets need the first few recordings of the newest-first list only.
        var sidAtIndex: [Int: String] = [:]
        if let maxIndex = wantedIndexes.max() {
            var i = 0
            var n = 0
            while i < generator.count, n <= maxIndex {
                for seed in generator.recordings(ofCall: i).reversed() {
                    sidAtIndex[n] = seed.sid
                    n += 1
                }
                i += 1
            }
        }
        for rule in rules {
            if case .manyCalls = rule.scenario { continue }
            switch rule.target {
            case .all: forAll.append(rule.scenario)
            case .recordingSid(let sid): bySid[sid, default: []].append(rule.scenario)
            case .recordingIndex(let i):
                if let sid = sidAtIndex[i] { bySid[sid, default: []].append(rule.scenario) }
            }
        }
        self.forAll = forAll
        self.bySid = bySid
    }

    var wrongCredentialsEverywhere: Bool { forAll.contains(.wrongCredentials) }

    /// Rules for all recordings first, then targeted ones (which win when both set the same kind).
    func scenarios(for sid: String) -> [Scenario] { forAll + (bySid[sid] ?? []) }
}
