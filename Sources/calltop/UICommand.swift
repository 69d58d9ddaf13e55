import ArgumentParser
import CallTopCore
import CallTopTUI
import Foundation

/// Options of the dashboard, shared by `calltop`/`calltop ui` and `calltop demo`.
struct DashboardOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Colour theme: default, light, high-contrast, or a theme file. NO_COLOR=1 turns colours off.", valueName: "name|file"))
    var theme: String?

    @Flag(help: "Look only: no downloads, retries or transcriptions start from the dashboard.")
    var readonly = false

    @Option(help: ArgumentHelp("Seconds between automatic refreshes (2 at least).", valueName: "seconds"))
    var refresh = 30

    func validate() throws {
        guard refresh >= DashboardContext.minimumRefreshSeconds else {
            throw ValidationError("--refresh must be at least \(DashboardContext.minimumRefreshSeconds) seconds")
        }
    }

    func open(_ workspace: Workspace, isDemo: Bool) async throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw CommandFailure("the dashboard needs a terminal; for scripts use `calltop list` (add --json for machines)")
        }
        let theme = try Theme.forCommandLine(self.theme)
        // Team mode: workers download and transcribe; this dashboard only queues work for them,
        // so it needs no speech engine of its own.
        let teamMode = workspace.store is PostgresStore
        let speech = SpeechEnvironment.locate()
        let speechProblem = teamMode ? nil : speech.installationProblem()
        let context = DashboardContext(
            accountSid: workspace.credentials?.accountSid ?? "-", apiHost: workspace.host.hostName, isDemo: isDemo,
            readonly: readonly, refreshSeconds: refresh, transcriptionAvailable: speechProblem == nil,
            transcriptionUnavailableReason: speechProblem?.description, region: workspace.host.region,
            storeEngine: teamMode ? "postgres" : "sqlite", teamMode: teamMode)
        let transcription = !teamMode && speechProblem == nil && !readonly ? workspace.transcriptionService(speech: speech) : nil
        try await withSpeechWorker(transcription?.worker) {
            let services = StoreDashboardServices(workspace: workspace, context: context, transcription: transcription)
            services.startDownloads()
            services.startWatchingStore()
            try await DashboardApp.run(services: services, theme: theme)
        }
    }
}

struct UICommand: CallTopCommand {
    static let configuration = CommandConfiguration(
        commandName: "ui",
        abstract: "Open the dashboard (the default command).",
        discussion: "Press ? in the dashboard for every key. Without credentials, try `calltop demo`.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var dashboard: DashboardOptions

    func execute() async throws {
        let workspace = try global.workspace()
        guard workspace.credentials != nil else { throw CommandFailure(Credentials.howToSet) }
        try await dashboard.open(workspace, isDemo: false)
    }
}
