import Foundation
import Logging

/// Everything a command needs, built once from the global options and the
/// environment: the store, the Twilio client, the log and the event bus.
public final class Workspace: Sendable {
    public let dataDir: URL
    public let store: Store
    public let host: TwilioHost
    public let credentials: Credentials?
    public let logSink: LogSink
    public let logger: Logger
    public let bus: EventBus

    /// `$CALLTOP_HOME`, else `$XDG_DATA_HOME/calltop`, else `~/.local/share/calltop`.
    public static func defaultDataDir(_ env: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let home = env["CALLTOP_HOME"], !home.isEmpty { return URL(fileURLWithPath: home, isDirectory: true) }
        if let xdg = env["XDG_DATA_HOME"], !xdg.isEmpty { return URL(fileURLWithPath: xdg, isDirectory: true).appendingPathComponent("calltop") }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".local/share/calltop", isDirectory: true)
    }

    public init(dataDir: URL, host: TwilioHost, credentials: Credentials?, verbose: Bool = false, keepLogInMemory: Bool = false) throws {
        self.dataDir = dataDir
        self.store = try Store(dataDir: dataDir)
        self.host = host
        self.credentials = credentials
        self.bus = EventBus()
        self.logSink = LogSink(logFile: dataDir.appendingPathComponent("logs/calltop.log"),
                               redactor: Redactor(secrets: credentials?.secretsForRedaction ?? []),
                               echoToStderr: verbose, bus: bus, keepInMemory: keepLogInMemory)
        self.logger = logSink.makeLogger(level: verbose ? .debug : .info)
    }

    /// The client, or the error that says how to set credentials.
    public func client() throws(ConfigError) -> TwilioClient {
        guard let credentials else { throw .missingCredentials(Credentials.howToSet) }
        return TwilioClient(host: host, credentials: credentials)
    }

    public func syncService() throws(ConfigError) -> SyncService {
        SyncService(client: try client(), store: store, logger: logger, bus: bus)
    }

    public func downloadRunner(retry: RetrySchedule = RetrySchedule(), notReady: NotReadySchedule = NotReadySchedule(),
                               encryption: EncryptionSettings = .fromEnvironment()) throws(ConfigError) -> DownloadRunner {
        let downloader = RecordingDownloader(client: try client(), store: store, retry: retry, notReady: notReady, logger: logger, bus: bus,
                                             encryption: encryption)
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
