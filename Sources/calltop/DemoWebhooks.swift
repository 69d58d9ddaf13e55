import CallTopCore
import CallTopSimulator
import CallTopWebhooks
import Foundation

/// `demo --with-webhooks`: the webhook service on a free 127.0.0.1 port
/// (signed with the simulator's auth token), a test receiver for its
/// deliveries, and a player that sends each simulated call's callbacks the
/// way Twilio would. Everything shares the dashboard's workspace, so changes show as they happen.
struct DemoWebhooks {
    /// The demo's `CALLTOP_NOTIFY_SECRET`: the receiver checks every delivery's signature with it.
    static let notifySecret = "calltop-demo-notify-secret"

    let service: WebhookService
    let receiver: DeliveryReceiver
    let player: Task<Void, Never>

    static func start(simulator: TwilioSimulator, workspace: Workspace) async throws -> DemoWebhooks {
        let bus = workspace.bus
        let receiver = DeliveryReceiver(verify: { signature, body, timestamp in
            NotifySignature.verify(signature: signature, body: body, timestamp: timestamp, secret: notifySecret)
        }) { _, all in
            // The list's ✓ follows from the outbox itself (serve says when it records a delivery).
            bus.emit(.message("webhooks on · \(all.count) transcript(s) delivered to the test receiver"
                + " (\(all.filter { $0.source == "offline" }.count) offline, \(all.filter(\.supersedes).count) superseding)", isError: false))
        }
        try await receiver.start()
        let service: WebhookService
        do {
            // The port comes first: the public URL that signatures cover contains it.
            service = try await LoopbackPort.start(isPortTaken: { $0 is WebhookServerError }) { port in
                try await WebhookService.start(WebhookServiceSettings(
                    host: "127.0.0.1", port: port, publicURL: "http://127.0.0.1:\(port)", authToken: simulator.config.authToken,
                    ingestToken: nil, notifyURL: receiver.url, notifySecret: notifySecret),
                    workspace: workspace, prepareRouter: ServeCommand.observability(workspace))
            }
        } catch {
            await receiver.stop()
            throw error
        }
        workspace.logger.info("[WEBHOOK] demo: receiver on 127.0.0.1:\(service.port), deliveries to the test receiver on 127.0.0.1:\(receiver.port)")
        let player = Task.detached { await play(simulator: simulator, service: service) }
        return DemoWebhooks(service: service, receiver: receiver, player: player)
    }

    /// Plays every simulated call's callbacks, newest call first, over a few seconds.
    static func play(simulator: TwilioSimulator, service: WebhookService) async {
        let workspace = service.workspace
        let bus = workspace.bus
        let sender = CallbackSender(serveURL: "http://127.0.0.1:\(service.port)", publicURL: service.receiver.configuration.publicURL,
                                    authToken: simulator.config.authToken, accountSid: simulator.config.accountSid)
        // Give the dashboard a moment to start listening to the bus, or the first message is lost.
        try? await Task.sleep(for: .seconds(1))
        let recordings = simulator.recordings()
        bus.emit(.message("webhooks on · Twilio callbacks → 127.0.0.1:\(service.port): playing \(recordings.count) recordings' callbacks", isError: false))
        let played = await CallbackPlayer.play(recordings, with: sender) { r, error in
            workspace.logger.warning("[WEBHOOK] demo: could not send the callbacks of \(r.callSid): \(error)")
        }
        guard let refused = played else { return }
        let window = service.settings.window
        bus.emit(.message("webhooks on · callbacks played" + (refused > 0 ? " (\(refused) refused, see the log)" : "")
            + "; each transcript is delivered once offline is done, or after \(window.attempts) × \(Int(window.interval)) s with realtime",
            isError: refused > 0))
    }

    func stop() async {
        player.cancel()
        await service.stop()
        await receiver.stop()
    }
}
