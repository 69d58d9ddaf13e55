import CallTopCore
import CallTopSimulator
import CallTopTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import Testing
@testable import CallTopWebhooks

func temporaryDirectory() -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("calltop-webhooks-\(UUID().uuidString.prefix(8))")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

func sid(_ prefix: String, _ n: Int) -> String { prefix + String(format: "%032x", n) }

let testAuthToken = SimulatorConfig.defaultAuthToken
let testPublicURL = "https://hooks.example.com"

/// Polls every 20 ms until `condition` holds or `seconds` pass.
func eventually(_ seconds: Double = 10, _ condition: () throws -> Bool) async rethrows -> Bool {
    try await waitFor(seconds, every: .milliseconds(20), condition)
}

/// Counts what `serve` asked to be done, instead of doing it.
final class RecordingWorkLog: RecordingWork {
    private let calls = Mutex<[String]>([])
    func recordingCompleted(callSid: String, recordingSid: String) { calls.withLock { $0.append(recordingSid) } }
    var recordingSids: [String] { calls.withLock { $0 } }
}

/// Stands in for the speech engine: "transcribes" instantly with a given text.
struct FakeTranscriber: OfflineTranscriber {
    let store: any CallStore
    let text: @Sendable (String) -> String
    func transcribe(callSid: String, recordingSid: String) async {
        try? store.saveOfflineTranscript(offlineTranscript(text(callSid)), callSid: callSid, recordingSid: recordingSid, now: Date())
    }
}

func offlineTranscript(_ text: String) -> OfflineTranscript {
    OfflineTranscript(text: text, segments: [], language: "en", audioSHA256: String(repeating: "ab", count: 32), model: "base",
                      modelSHA256: "", settingsJSON: "{}", audioSeconds: 30, processingSeconds: 3)
}

/// A store-backed webhook stack on loopback with a fake recording worker.
struct ServeHarness {
    let workspace: Workspace
    let server: WebhookServer
    let sender: CallbackSender
    let port: Int
    let work: RecordingWorkLog
    var store: any WebhookStore { workspace.webhookStore }
    var logLines: [String] { workspace.logSink.lines() }

    static func start(ingestToken: String? = "ingest-token-for-tests", work: RecordingWorkLog = RecordingWorkLog(),
                      settler: ((any WebhookStore, Logger) -> TranscriptSettler)? = nil,
                      limits: ConnectionLimits = ConnectionLimits()) async throws -> ServeHarness {
        let workspace = try Workspace(dataDir: temporaryDirectory(), host: TwilioHost(), credentials: nil, keepLogInMemory: true)
        let settlerValue = settler?(workspace.webhookStore, workspace.logger)
        let receiver = WebhookReceiver(configuration: .init(publicURL: testPublicURL, authToken: testAuthToken, ingestToken: ingestToken),
                                       store: workspace.webhookStore, work: work, settler: settlerValue, logger: workspace.logger)
        let server = WebhookServer(receiver: receiver, settler: settlerValue, outbox: nil, port: 0, limits: limits, logger: workspace.logger)
        let port = try await server.start(runLoop: false)
        let sender = CallbackSender(serveURL: "http://127.0.0.1:\(port)", publicURL: testPublicURL, authToken: testAuthToken)
        return ServeHarness(workspace: workspace, server: server, sender: sender, port: port, work: work)
    }

    func stop() async { await server.stop() }
}

/// The downstream system: a tiny Hummingbird server on 127.0.0.1 that records
/// every delivery it acknowledges, and can be told to fail the next N, or to
/// hold the ones after them unanswered (a sender killed mid-request).
final class TestReceiver: Sendable {
    struct Received: Sendable {
        var deliveryId: String
        var document: [String: String]
        var signatureValid: Bool
    }

    let secret: String
    private let state = Mutex<(received: [Received], failNext: Int, refused: Int, stallNext: Int, stalled: Int)>(([], 0, 0, 0, 0))
    private let running = Mutex<(ServiceGroup, Task<Void, any Error>)?>(nil)
    private let boundPort = Mutex(0)
    var port: Int { boundPort.withLock { $0 } }

    init(secret: String) { self.secret = secret }

    var received: [Received] { state.withLock { $0.received } }
    var refusedCount: Int { state.withLock { $0.refused } }
    func failNext(_ n: Int) { state.withLock { $0.failNext = n } }
    /// Requests held without an answer so far.
    var stalledCount: Int { state.withLock { $0.stalled } }
    /// The next `n` requests after the failed ones get no answer for a few seconds, then a refusal.
    func stallNext(_ n: Int) { state.withLock { $0.stallNext = n } }

    func start() async throws {
        let router = Router()
        router.post("/hook") { request, _ -> Response in
            let body = String(buffer: try await request.body.collect(upTo: 1 << 20))
            let timestamp = Int(request.headers[HTTPField.Name("X-CallTop-Timestamp")!] ?? "") ?? 0
            let valid = NotifySignature.verify(signature: request.headers[HTTPField.Name("X-CallTop-Signature")!], body: body,
                                               timestamp: timestamp, secret: self.secret)
            let (fail, stall) = self.state.withLock { s -> (Bool, Bool) in
                if s.failNext > 0 { s.failNext -= 1; s.refused += 1; return (true, false) }
                if s.stallNext > 0 { s.stallNext -= 1; s.stalled += 1; return (true, true) }
                return (false, false)
            }
            if stall { try? await Task.sleep(for: .seconds(3)) }
            if fail { return Response(status: .serviceUnavailable) }
            let object = (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]) ?? [:]
            let doc = object.mapValues { "\($0)" }
            let id = request.headers[HTTPField.Name("X-CallTop-Delivery")!] ?? ""
            self.state.withLock { $0.received.append(Received(deliveryId: id, document: doc, signatureValid: valid)) }
            return Response(status: .ok)
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "test-receiver")
        logger.logLevel = .warning
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { continuation.yield($0.localAddress?.port ?? 0); continuation.finish() }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task { try await group.run() }
        for await p in ports { boundPort.withLock { $0 = p }; break }
        running.withLock { $0 = (group, task) }
    }

    var url: String { "http://127.0.0.1:\(port)/hook" }

    func stop() async {
        guard let (group, task) = running.withLock({ s in defer { s = nil }; return s }) else { return }
        await group.triggerGracefulShutdown()
        _ = await task.result
    }
}

/// A clock that moves only when told to.
final class FakeClock: WallClock {
    private let current: Mutex<Date>
    init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) { current = Mutex(start) }
    func now() -> Date { current.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}
