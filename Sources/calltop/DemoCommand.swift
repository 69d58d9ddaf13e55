import ArgumentParser
import CallTopCore
import CallTopSimulator
import CallTopWebhooks
import Foundation

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Open the dashboard on the built-in Twilio simulator: no account needed.",
        discussion: """
            Starts the simulator on a free 127.0.0.1 port with real synthesised audio and a mix of trouble:
            recordings not ready yet, one rate-limited, one that fails for good (an XML error instead of
            audio), one absent, and a few encrypted with Voice Recording Encryption (the demo supplies their
            private keys; one used a fallback key, one was never stored: 16105). Uses a fresh temporary data dir unless --data-dir is given.
            With --with-webhooks it also runs what `calltop serve` runs, in-process on 127.0.0.1, plus a test
            receiver for its deliveries, and plays Twilio's signed real-time transcription and recording
            status callbacks to it: recordings download as their callbacks arrive, realtime transcripts
            appear, offline ones replace them, and the list marks each call's delivery (✓ delivered,
            … pending, ✗ failing; ! where the two transcripts disagree).
            """)

    @Option(name: .customLong("data-dir"), help: ArgumentHelp("Keep the demo's store and recordings here.", valueName: "dir"))
    var dataDir: String?

    @Option(help: "How many calls the simulator makes up.")
    var calls = 40

    @Flag(name: .customLong("with-webhooks"), help: "Also run the webhook receiver and play Twilio's callbacks to it (the whole `calltop serve` flow).")
    var withWebhooks = false

    @OptionGroup var dashboard: DashboardOptions

    @Flag(name: .shortAndLong, help: "Also write the log to stderr.")
    var verbose = false

    func run() async throws {
        do {
            let config = SimulatorConfig.demo(callCount: calls)
            let simulator = TwilioSimulator(config: config)
            _ = try await simulator.start()
            let dir = dataDir.map { URL(fileURLWithPath: $0, isDirectory: true) }
                ?? FileManager.default.temporaryDirectory.appendingPathComponent("calltop-demo-\(UUID().uuidString.prefix(8))")
            // #15: the demo's encrypted calls open with the simulator's private keys (the fallback one included).
            let keys = FileManager.default.temporaryDirectory.appendingPathComponent("calltop-demo-keys-\(UUID().uuidString.prefix(8))")
            defer { try? FileManager.default.removeItem(at: keys) }
            try simulator.writeRecordingKeys(to: keys)
            setenv(RecordingKeyring.environmentVariable, keys.path, 1)
            let workspace = try Workspace(
                dataDir: dir, host: try TwilioHost(apiBaseURL: simulator.baseURL),
                credentials: try Credentials(accountSid: config.accountSid, authToken: config.authToken), verbose: verbose)
            let webhooks = withWebhooks ? try await DemoWebhooks.start(simulator: simulator, workspace: workspace) : nil
            do {
                try await dashboard.open(workspace, isDemo: true)
            } catch {
                await webhooks?.stop()
                throw error
            }
            await webhooks?.stop()
            await simulator.stop()
            if dataDir == nil { try? FileManager.default.removeItem(at: dir) }
        } catch {
            throw Self.failing(error)
        }
    }
}

/// `demo --with-webhooks`: the webhook stack on a free 127.0.0.1 port (signed
/// with the simulator's auth token), a test receiver for its deliveries, and
/// a player that sends each simulated call's callbacks the way Twilio would.
/// Everything shares the dashboard's workspace, so changes show as they happen.
struct DemoWebhooks {
    /// The demo's `CALLTOP_NOTIFY_SECRET`: the receiver checks every delivery's signature with it.
    static let notifySecret = "calltop-demo-notify-secret"

    let stack: WebhookStack
    let receiver: DemoNotifyReceiver
    let player: Task<Void, Never>

    static func start(simulator: TwilioSimulator, workspace: Workspace) async throws -> DemoWebhooks {
        let bus = workspace.bus
        let store = workspace.store
        let receiver = DemoNotifyReceiver(secret: notifySecret) { delivery, all in
            bus.emit(.message("webhooks on · \(all.count) transcript(s) delivered to the test receiver"
                + " (\(all.filter { $0.source == "offline" }.count) offline, \(all.filter(\.supersedes).count) superseding)", isError: false))
            // The outbox records the delivery once our answer reaches it; then the list can show ✓.
            Task {
                for _ in 0..<60 {
                    if (try? store.callRow(delivery.callSid))?.delivery == "delivered" { break }
                    try? await Task.sleep(for: .milliseconds(50))
                }
                bus.emit(.callChanged(callSid: delivery.callSid))
            }
        }
        try await receiver.start()

        var started: WebhookStack?
        var attempt = 0
        while started == nil {
            attempt += 1
            // The port comes first: the public URL that signatures cover contains it.
            let port = try freeLoopbackPort()
            do {
                started = try await WebhookStack.start(WebhookStack.Settings(
                    host: "127.0.0.1", port: port, publicURL: "http://127.0.0.1:\(port)", authToken: simulator.config.authToken,
                    ingestToken: nil, notifyURL: receiver.url, notifySecret: notifySecret), workspace: workspace)
            } catch {
                // Someone took the port between our look and the bind: pick another.
                if attempt >= 3 || !(error is WebhookServerError) {
                    await receiver.stop()
                    throw error
                }
            }
        }
        guard let stack = started else { throw CommandFailure("the webhook receiver did not start") }
        workspace.logger.info("[WEBHOOK] demo: receiver on 127.0.0.1:\(stack.port), deliveries to the test receiver on 127.0.0.1:\(receiver.port)")
        let player = Task.detached { await play(simulator: simulator, stack: stack) }
        return DemoWebhooks(stack: stack, receiver: receiver, player: player)
    }

    /// Plays every simulated call's callbacks, newest call first, over a few seconds.
    static func play(simulator: TwilioSimulator, stack: WebhookStack) async {
        let workspace = stack.workspace
        let bus = workspace.bus
        let sender = CallbackSender(serveURL: "http://127.0.0.1:\(stack.port)", publicURL: stack.receiver.configuration.publicURL,
                                    authToken: simulator.config.authToken, accountSid: simulator.config.accountSid)
        // Give the dashboard a moment to start listening to the bus, or the first message is lost.
        try? await Task.sleep(for: .seconds(1))
        let recordings = simulator.recordings()
        bus.emit(.message("webhooks on · Twilio callbacks → 127.0.0.1:\(stack.port): playing \(recordings.count) recordings' callbacks", isError: false))
        let pause = recordings.isEmpty ? 0 : min(0.25, 6 / Double(recordings.count))
        var refused = 0
        for r in recordings {
            if Task.isCancelled { return }
            do {
                refused += try await sender.playCall(r).filter { $0.status != 200 }.count
            } catch {
                if Task.isCancelled { return }
                workspace.logger.warning("[WEBHOOK] demo: could not send the callbacks of \(r.callSid): \(error)")
            }
            try? await Task.sleep(for: .seconds(pause))
        }
        let window = stack.settings.window
        bus.emit(.message("webhooks on · callbacks played" + (refused > 0 ? " (\(refused) refused, see the log)" : "")
            + "; each transcript is delivered once offline is done, or after \(window.attempts) × \(Int(window.interval)) s with realtime",
            isError: refused > 0))
    }

    func stop() async {
        player.cancel()
        await stack.stop()
        await receiver.stop()
    }
}
