import Foundation

/// Downloads whatever is due (pending, or a retry whose time has come) for as
/// long as it runs, and looks again every `idleInterval` when nothing is.
/// Polling an indexed query is cheaper than getting wake-ups right.
///
/// The dashboard `start()`s one for its life; a headless process can make
/// `run()` its main loop (it has the shape of a swift-service-lifecycle `Service`).
public final class BackgroundDownloads: Sendable {
    private let due: @Sendable () -> [String]
    private let download: @Sendable ([String]) async -> Void
    private let idleInterval: Duration
    private let background = BackgroundTask()

    public convenience init(store: any CallStore, runner: DownloadRunner, concurrency: Int, idleInterval: Duration = .seconds(1)) {
        // A store that cannot be read has nothing due now; the next look, one idle interval later, asks again.
        self.init(idleInterval: idleInterval,
                  due: { (try? store.dueRecordingSids(now: Date())) ?? [] },
                  download: { sids in _ = await runner.run(sids, options: .init(concurrency: concurrency, wait: 0)) })
    }

    /// `due` names the recordings to fetch now; `download` fetches them and returns when the batch is done.
    public init(idleInterval: Duration = .seconds(1), due: @escaping @Sendable () -> [String],
                download: @escaping @Sendable ([String]) async -> Void) {
        self.due = due
        self.download = download
        self.idleInterval = idleInterval
    }

    /// Loops until the task is cancelled.
    public func run() async {
        await Self.loop(due: due, download: download, idleInterval: idleInterval)
    }

    /// Starts the loop in the background; a second call while it runs does nothing.
    public func start() {
        // The task holds the closures, not `self`, so dropping the owner still stops it (deinit).
        let (due, download, idleInterval) = (self.due, self.download, self.idleInterval)
        background.start { await Self.loop(due: due, download: download, idleInterval: idleInterval) }
    }

    public func stop() { background.stop() }

    private static func loop(due: @Sendable () -> [String], download: @Sendable ([String]) async -> Void,
                             idleInterval: Duration) async {
        while !Task.isCancelled {
            let sids = due()
            if sids.isEmpty {
                // A look, not an event: what makes work due here is a retry time passing or another
                // process's write (a sync, serve's callback), and SQLite tells no one of either.
                try? await Task.sleep(for: idleInterval)
            } else {
                await download(sids)
            }
        }
    }
}
