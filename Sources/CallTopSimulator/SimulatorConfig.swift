import Foundation

/// Everything the simulator's behaviour depends on. Generated data is a pure
/// function of `seed`, `now`, `callCount`/`many_calls` and the audio clips.
public struct SimulatorConfig: Sendable {
    public static let defaultAccountSid = "AC5a1b0c0ffee00000000000000000ca11"
    public static let defaultAuthToken = "simulator-auth-token-0123456789ab"
    public static let defaultApiKeySid = "SK5a1b0c0ffee000000000000000000a9e"
    public static let defaultApiKeySecret = "simulator-api-secret-0123456789ab"
    public static let defaultSeed: UInt64 = 20_100_401

    public var accountSid: String
    public var authToken: String
    public var apiKeySid: String
    public var apiKeySecret: String
    public var callCount: Int
    public var seed: UInt64
    public var now: Date
    public var scenarios: [ScenarioRule]
    public var audioCacheDir: URL
    /// Port of the API listener; 0 lets the system pick.
    public var port: Int
    /// Port of the off-host listener that `redirect_offhost` points at; 0 lets the system pick.
    public var offhostPort: Int
    /// Added to every API request, as a round trip from outside us1 would (± 10 % jitter).
    public var latencyMs: Int = 0
    /// The account's REST concurrency limit: a request arriving while this many
    /// are in flight gets 429 (20429) with `Twilio-Concurrent-Requests`. Nil: no limit.
    public var maxConcurrent: Int?

    public init(
        accountSid: String = SimulatorConfig.defaultAccountSid,
        authToken: String = SimulatorConfig.defaultAuthToken,
        apiKeySid: String = SimulatorConfig.defaultApiKeySid,
        apiKeySecret: String = SimulatorConfig.defaultApiKeySecret,
        callCount: Int = 40,
        seed: UInt64 = SimulatorConfig.defaultSeed,
        now: Date = Date(),
        scenarios: [ScenarioRule] = [],
        audioCacheDir: URL = SimulatorConfig.defaultAudioCacheDir(),
        port: Int = 0,
        offhostPort: Int = 0
    ) {
        self.accountSid = accountSid
        self.authToken = authToken
        self.apiKeySid = apiKeySid
        self.apiKeySecret = apiKeySecret
        self.callCount = callCount
        self.seed = seed
        // Whole seconds: Twilio's dates have no fractions, and two simulators
        // built a few milliseconds apart with the same seed should agree.
        self.now = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        self.scenarios = scenarios
        self.audioCacheDir = audioCacheDir
        self.port = port
        self.offhostPort = offhostPort
    }

    /// The mix `calltop demo` shows: mostly fine, with each kind of trouble once or twice.
    /// Indexes count recordings newest first, so the very newest one downloads cleanly.
    public static func demo(
        seed: UInt64 = SimulatorConfig.defaultSeed,
        now: Date = Date(),
        callCount: Int = 40,
        audioCacheDir: URL = SimulatorConfig.defaultAudioCacheDir(),
        port: Int = 0
    ) -> SimulatorConfig {
        SimulatorConfig(
            callCount: callCount,
            seed: seed,
            now: now,
            scenarios: demoScenarios,
            audioCacheDir: audioCacheDir,
            port: port
        )
    }

    public static let demoScenarios: [ScenarioRule] = [
        ScenarioRule(.notReady(tries: 2), target: .recordingIndex(1)),
        ScenarioRule(.notReady(tries: 2), target: .recordingIndex(4)),
        ScenarioRule(.rateLimited(times: 2), target: .recordingIndex(2)),
        ScenarioRule(.xmlError, target: .recordingIndex(5)),
        ScenarioRule(.absent, target: .recordingIndex(7)),
        // #15: Voice Recording Encryption: the primary key, a fallback key (16107), and never stored (16105).
        ScenarioRule(.encrypted(.primary), target: .recordingIndex(3)),
        ScenarioRule(.encrypted(.primary), target: .recordingIndex(8)),
        ScenarioRule(.encrypted(.fallback), target: .recordingIndex(6)),
        ScenarioRule(.encrypted(.unstored), target: .recordingIndex(9)),
    ]

    /// `$XDG_CACHE_HOME/calltop/simulator-audio`, else `~/.cache/calltop/simulator-audio`.
    public static func defaultAudioCacheDir() -> URL {
        let env = ProcessInfo.processInfo.environment
        let base: URL
        if let xdg = env["XDG_CACHE_HOME"], !xdg.isEmpty {
            base = URL(fileURLWithPath: xdg, isDirectory: true)
        } else {
            base = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache", isDirectory: true)
        }
        return base.appendingPathComponent("calltop/simulator-audio", isDirectory: true)
    }

    /// Calls in the account: `many_calls` wins over `callCount`.
    var effectiveCallCount: Int {
        var count = callCount
        for rule in scenarios {
            if case .manyCalls(let n) = rule.scenario { count = n }
        }
        return max(0, count)
    }
}
