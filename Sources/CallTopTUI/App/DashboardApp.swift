import CallTopCore
import Foundation

/// The dashboard's runtime: owns the state, reads keys without blocking,
/// runs effects in tasks and feeds their results back as events.
///
/// Entry point for `calltop` / `calltop demo`:
/// ```swift
/// let theme = try Theme.forCommandLine(options.theme)   // --theme, CALLTOP_THEMES_DIR, NO_COLOR
/// try await DashboardApp.run(services: myServices, theme: theme)
/// ```
/// `run` returns when the user quits (q, Ctrl-C) or on SIGINT/SIGTERM/SIGHUP,
/// always with the terminal restored. It throws `TerminalError` when there is
/// no usable terminal (not a tty, unknown TERM).
public enum DashboardApp {
    @MainActor
    public static func run(services: any DashboardServices, theme: Theme) async throws {
        let terminal = try NcursesTerminal(theme: theme)
        defer { terminal.stop() }
        let runtime = DashboardRuntime(services: services, terminal: terminal)
        await runtime.run()
    }
}

@MainActor
final class DashboardRuntime {
    private let services: any DashboardServices
    private let terminal: NcursesTerminal
    private let inbox = EventInbox()
    private let stop = StopRequest()
    private var state: DashboardState
    private var tasks: [UUID: Task<Void, Never>] = [:]
    private var quitRequested = false
    private var needsDraw = true
    private var signalSources: [DispatchSourceSignal] = []

    /// How often the loop looks for keys and results. Short enough that keys
    /// feel immediate, long enough to cost nothing while idle. A poll, not a
    /// wake-up: ncurses reads the keys itself (and turns SIGWINCH into a key),
    /// so waiting on the terminal's descriptor would need a second reader of it.
    private static let pollInterval: Duration = .milliseconds(15)

    init(services: any DashboardServices, terminal: NcursesTerminal) {
        self.services = services
        self.terminal = terminal
        state = DashboardState(context: services.context)
    }

    func run() async {
        installSignalHandlers()
        defer { removeSignalHandlers() }
        let services = self.services
        let inbox = self.inbox
        let coreEvents = Task.detached {
            for await event in services.events() { inbox.post(.core(event)) }
        }
        defer {
            coreEvents.cancel()
            for task in tasks.values { task.cancel() }
        }

        apply(.resize(terminal.size))
        var lastTick = Date()
        apply(.tick(now: lastTick))

        while !quitRequested && !stop.isRequested {
            var keys = 0
            // Bounded so a paste cannot starve drawing.
            while keys < 64, let input = terminal.readKey() {
                keys += 1
                switch input {
                case .key(let key): apply(.key(key))
                case .resize: apply(.resize(terminal.size))
                case .ignored: break
                }
            }
            for event in inbox.drain() { apply(event) }
            let now = Date()
            if now.timeIntervalSince(lastTick) >= 1 {
                lastTick = now
                apply(.tick(now: now))
            }
            if needsDraw && !quitRequested {
                needsDraw = false
                terminal.draw(render(state, size: terminal.size, now: now, timeZone: .current))
            }
            try? await Task.sleep(for: Self.pollInterval)
        }
    }

    private func apply(_ event: DashboardEvent) {
        let effects = update(&state, event)
        needsDraw = true
        for effect in effects { perform(effect) }
    }

    private func perform(_ effect: DashboardEffect) {
        switch effect {
        case .quit:
            quitRequested = true
        case .redraw:
            terminal.invalidate()
        case .copyToClipboard(let text):
            terminal.copyToClipboard(text)
        case .openURL(let url):
            BrowserOpener.open(url)
        default:
            spawn(effect)
        }
    }

    /// Runs an effect off the UI loop; its outcome comes back through the inbox.
    private func spawn(_ effect: DashboardEffect) {
        let services = self.services
        let inbox = self.inbox
        let id = UUID()
        tasks[id] = Task.detached { [weak self] in
            for result in await Self.execute(effect, services: services) { inbox.post(result) }
            await self?.finished(id)
        }
    }

    private func finished(_ id: UUID) { tasks[id] = nil }

    private nonisolated static func execute(_ effect: DashboardEffect, services: any DashboardServices) async -> [DashboardEvent] {
        do {
            switch effect {
            case .loadRows, .loadRowsAfter:
                if case .loadRowsAfter(let seconds) = effect { try await Task.sleep(for: .seconds(seconds)) }
                // The workers come with every row load, so the same refreshes and change events update both.
                // Without them the rows still load; a store that cannot be read says so through the rows.
                let workers = try? await services.loadWorkers()
                let started = ContinuousClock.now
                let rows = try await services.loadRows()
                let took = (ContinuousClock.now - started).inSeconds
                return (workers.map { [.workersLoaded($0)] } ?? []) + [.rowsLoadTook(seconds: took), .rowsLoaded(rows)]
            case .loadFirstPage:
                // Enough rows for the tallest terminal; the full list follows.
                guard let page = try await services.loadFirstPage(limit: 300) else { return [.effectFinished(effect)] }
                return [.firstPageLoaded(page)]
            case .loadDetail(let sid):
                return [.detailLoaded(try await services.loadDetail(callSid: sid))]
            case .sync:
                try await services.sync()
                return [.syncCompleted(at: Date())]
            case .download(let sids), .retry(let sids):
                await services.download(callSids: sids)
            case .retryAllFailed:
                await services.retryAllFailed()
            case .transcribe(let sids):
                try await services.transcribe(callSids: sids)
            case .quit, .redraw, .copyToClipboard, .openURL:
                break
            }
            return [.effectFinished(effect)]
        } catch {
            return [.effectFailed(effect, message: describe(error))]
        }
    }

    private nonisolated static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        return text.isEmpty ? "\(type(of: error))" : text
    }

    private func installSignalHandlers() {
        let stop = self.stop
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig, SIG_IGN) // the dispatch source sees it; the default action would skip endwin
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .main)
            source.setEventHandler { stop.request() }
            source.resume()
            signalSources.append(source)
        }
    }

    private func removeSignalHandlers() {
        for source in signalSources { source.cancel() }
        signalSources = []
        for sig in [SIGINT, SIGTERM, SIGHUP] { signal(sig, SIG_DFL) }
    }
}
