import Foundation

extension WorkerService {
    public enum SetupError: Error, CustomStringConvertible {
        case noSpeechEngine(String)

        public var description: String {
            switch self {
            case .noSpeechEngine(let why):
                return "transcription needs the speech engine (\(why)): run `make setup`, set CALLTOP_SPEECH_HOME, or pass --transcriptions 0"
            }
        }
    }

    /// A worker over the workspace's data dir and Twilio account. It opens a
    /// store of its own with the worker's lease terms, so its claims last
    /// `settings.leaseSeconds` without renewal. `owner` names its claims (tests run two workers in one process).
    public static func make(workspace: Workspace, settings: WorkerSettings, speech: SpeechEnvironment = SpeechEnvironment.locate(),
                            owner: LeaseOwner = .thisProcess) throws -> WorkerService {
        if settings.transcriptions > 0, let problem = speech.installationProblem() {
            throw SetupError.noSpeechEngine(problem.description)
        }
        let store = try workspace.store.handle(owner: owner, lease: LeaseTerms(duration: settings.leaseSeconds))
        let client = try workspace.client()
        let downloader = RecordingDownloader(client: client, store: store, logger: workspace.logger, bus: workspace.bus)
        let transcribers = (0..<settings.transcriptions).map { _ in
            var configuration = SpeechWorker.Configuration(environment: speech)
            configuration.preload = [settings.model]
            return TranscriptionService(worker: SpeechWorker(configuration: configuration, logger: workspace.logger), store: store,
                                        downloads: nil, copies: downloader, logger: workspace.logger, bus: workspace.bus, model: settings.model)
        }
        return WorkerService(settings: settings, store: store,
                             sync: SyncService(client: client, store: store, logger: workspace.logger, bus: workspace.bus),
                             downloader: downloader, transcribers: transcribers, logger: workspace.logger)
    }
}
