import Foundation
import Logging

/// Everything a command needs, built once from the global options and the
/// environment: the store, the Twilio client, the log and the event bus.
public final class Workspace: Sendable {
    public let dataDir: URL
    /// SQLite under `dataDir`, or the team's PostgreSQL when `CALLTOP_DATABASE_URL` is set.
    public let store: any CallStore
    public let host: TwilioHost
    public let credentials: Credentials?
    public let logSink: LogSink
    public let logger: Logger
    public let bus: EventBus
    /// How API requests (list pages, metadata) repeat after 429, 5xx and network failures.
    public let requestRetry: RequestRetry

    /// `$CALLTOP_HOME`, else `$XDG_DATA_HOME/calltop`, else `~/.local/share/calltop`.
    public static func defaultDataDir(_ env: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let home = env["CALLTOP_HOME"], !home.isEmpty { return URL(fileURLWithPath: home, isDirectory: true) }
        if let xdg = env["XDG_DATA_HOME"], !xdg.isEmpty { return URL(fileURLWithPath: xdg, isDirectory: true).appendingPathComponent("calltop") }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".local/share/calltop", isDirectory: true)
    }

    /// What is wrong with the data dir that the user should fix (it is open to other users).
    /// Commands print these on stderr; `doctor` fails on them.
    public let warnings: [String]

    /// `secrets` are redacted from the log besides the credentials: by default every
    /// secret-bearing environment variable (Redactor.secretVariables).
    public init(dataDir: URL, host: TwilioHost, credentials: Credentials?, verbose: Bool = false, keepLogInMemory: Bool = false,
                requestRetry: RequestRetry = RequestRetry(), secrets: [String] = Redactor.environmentSecrets(),
                environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        self.dataDir = dataDir
        self.warnings = try DataDirectoryCheck.prepare(dataDir)
        self.requestRetry = requestRetry
        self.store = try Self.openStore(dataDir: dataDir, environment: environment)
        self.host = host
        self.credentials = credentials
        self.bus = EventBus()
        self.logSink = LogSink(logFile: dataDir.appendingPathComponent("logs/calltop.log"),
                               redactor: Redactor(secrets: (credentials?.secretsForRedaction ?? []) + secrets),
                               echoToStderr: verbose, bus: bus, keepInMemory: keepLogInMemory)
        self.logger = logSink.makeLogger(level: verbose ? .debug : .info)
    }

    /// The engine `CALLTOP_DATABASE_URL` chooses: PostgreSQL when set, else SQLite in the data dir.
    public static func openStore(dataDir: URL, environment: [String: String]) throws -> any CallStore {
        guard let url = try DatabaseURL.fromEnvironment(environment) else { return try Store(dataDir: dataDir) }
        return try PostgresStore(url: url, dataDir: dataDir, pollOnly: PostgresStore.pollOnly(environment))
    }

    /// The client, or the error that says how to set credentials.
    /// `maxConcurrency` bounds the requests this process keeps in flight to the
    /// account (the first client made for an account sets it for the process).
    /// `gate` replaces the process's shared one: a bench's stand-in for another process.
    public func client(maxConcurrency: Int = 32, gate: AccountGate? = nil) throws(ConfigError) -> TwilioClient {
        guard let credentials else { throw .missingCredentials(Credentials.howToSet) }
        return TwilioClient(host: host, credentials: credentials, retry: requestRetry, maxConcurrency: maxConcurrency, gate: gate, logger: logger)
    }

    public func syncService() throws(ConfigError) -> SyncService {
        SyncService(client: try client(), store: store, logger: logger, bus: bus)
    }

    public func downloadRunner(retry: RetrySchedule = RetrySchedule(), notReady: NotReadySchedule = NotReadySchedule(),
                               maxConcurrency: Int = 32, gate: AccountGate? = nil,
                               encryption: EncryptionSettings = .fromEnvironment()) throws(ConfigError) -> DownloadRunner {
        let downloader = RecordingDownloader(client: try client(maxConcurrency: maxConcurrency, gate: gate), store: store, retry: retry, notReady: notReady,
                                             logger: logger, bus: bus, encryption: encryption)
        return DownloadRunner(downloader: downloader, store: store)
    }

    /// Offline transcription over the speech worker found by `SpeechEnvironment.locate()`.
    /// Downloads a missing recording first when credentials are set.
    public func transcriptionService(model: String = SpeechEnvironment.defaultModel,
                                     speech: SpeechEnvironment = SpeechEnvironment.locate()) -> TranscriptionService {
        var configuration = SpeechWorker.Configuration(environment: speech)
        configuration.preload = [model]
        let worker = SpeechWorker(configuration: configuration, logger: logger)
        return TranscriptionService(worker: worker, store: store, downloads: try? downloadRunner(), logger: logger, bus: bus, model: model)
    }
}
