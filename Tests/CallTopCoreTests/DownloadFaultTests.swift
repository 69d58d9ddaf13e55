import CallTopSimulator
import Foundation
import Testing
@testable import CallTopCore

/// Faults that must end an attempt with the right verdict at once: not a
/// network error, not a crash, not a retry that cannot help.
@Suite(.serialized) struct DownloadFaultTests {
    static let account = "AC" + String(repeating: "a", count: 32)
    static let sid = "RE" + String(repeating: "b", count: 32)
    static let callSid = "CA" + String(repeating: "c", count: 32)
    static let recordingPath = "/2010-04-01/Accounts/\(account)/Recordings/\(sid)"

    /// A store that knows the recording, from a call that ended long ago (so a 404 is not "still processing").
    func store(_ dir: URL = temporaryDirectory()) throws -> Store {
        let store = try Store(dataDir: dir)
        let ended = Date().addingTimeInterval(-86_400)
        try store.upsertCalls([TwilioCall(sid: Self.callSid, from: "+1", to: "+2", direction: "inbound", status: "completed",
                                          startTime: ended, durationS: 10)], now: Date())
        try store.upsertRecordings([TwilioRecording(sid: Self.sid, callSid: Self.callSid, status: "completed", durationS: 10, channels: 1,
                                                    startTime: ended, dateCreated: ended, uri: Self.recordingPath + ".json")], now: Date())
        return store
    }

    func metadata(uri: String) -> CannedHTTPServer.Answer {
        let json = """
            {"sid": "\(Self.sid)", "account_sid": "\(Self.account)", "call_sid": "\(Self.callSid)", "status": "completed",
             "duration": "10", "channels": 1, "uri": "\(uri)"}
            """
        return .init(status: 200, headers: [("Content-Type", "application/json")], body: Data(json.utf8))
    }

    func downloader(_ server: CannedHTTPServer, store: Store, timeLimit: DownloadTimeLimit = DownloadTimeLimit()) throws -> RecordingDownloader {
        let client = TwilioClient(host: try TwilioHost(apiBaseURL: server.baseURL),
                                  credentials: try Credentials(accountSid: Self.account, authToken: "t0ken"),
                                  retry: RequestRetry(schedule: RetrySchedule(base: 0.01, cap: 0.02, maxAttempts: 2)))
        return RecordingDownloader(client: client, store: store, timeLimit: timeLimit, logger: .init(label: "test"))
    }

    @Test func aNotFoundWithAnOversizedErrorBodyIsStillANotFound() async throws {
        let xml = "<?xml version='1.0'?><TwilioResponse><RestException><Code>20404</Code><Message>"
            + String(repeating: "not here ", count: 8_000) + "</Message></RestException></TwilioResponse>"
        let server = try CannedHTTPServer([
            Self.recordingPath + ".json": metadata(uri: Self.recordingPath + ".json"),
            Self.recordingPath + ".mp3": .init(status: 404, headers: [("Content-Type", "application/xml")], body: Data(xml.utf8)),
        ])
        defer { server.stop() }
        let store = try store()
        let decision = try #require(await downloader(server, store: store).attempt(Self.sid))
        guard case .failed(let reason) = decision else { Issue.record("expected failed, got \(decision)"); return }
        #expect(reason.contains("HTTP 404"))
        #expect(try store.attempts(ofRecording: Self.sid).first?.httpStatus == 404)
    }

    @Test func aMalformedMediaURIFailsAtOnceWithoutAFetch() async throws {
        let server = try CannedHTTPServer([Self.recordingPath + ".json": metadata(uri: "/2010-04-01/Accounts/x/Recordings/RE b.json")])
        defer { server.stop() }
        let store = try store()
        let decision = try #require(await downloader(server, store: store).attempt(Self.sid))
        guard case .failed(let reason) = decision else { Issue.record("expected failed, got \(decision)"); return }
        #expect(reason.contains("malformed uri"))
        #expect(server.requestedPaths == [Self.recordingPath + ".json"])
    }

    @Test func aTransferOverItsTimeLimitIsRetriedWithTheReason() async throws {
        let h = try await SimulatorHarness.start(["slow=4000"], calls: 1)
        defer { Task { await h.stop() } }
        _ = try await h.sync()
        let sid = try #require(h.simulator.recordings().first?.sid)
        let client = try h.workspace.client()
        let limit = DownloadTimeLimit(floorSeconds: 1, minimumBytesPerSecond: 1e12)
        let downloader = RecordingDownloader(client: client, store: h.store, retry: SimulatorHarness.fastRetry, timeLimit: limit, logger: h.workspace.logger)
        let started = Date()
        let decision = try #require(await downloader.attempt(sid))
        #expect(Date().timeIntervalSince(started) < 10)
        guard case .retry(.retrying, _, let reason) = decision else { Issue.record("expected retrying, got \(decision)"); return }
        #expect(reason.contains("s limit"))
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: h.store.recordingsDir.path)) ?? []).isEmpty)
    }

    @Test func theTimeLimitGrowsWithTheExpectedSize() {
        let limit = DownloadTimeLimit(floorSeconds: 60, minimumBytesPerSecond: 8_000)
        #expect(limit.seconds(durationS: nil, channels: nil) == 60)
        #expect(limit.seconds(durationS: 60, channels: 1) == 60 + 120)
        #expect(limit.seconds(durationS: 60, channels: 2) == 60 + 240)
        #expect(limit.seconds(durationS: Int.max, channels: 99) <= 60 + 86_400 * 4)
    }

    @Test func aFullDiskLeavesTheRecordingRetryingWithTheFreeSpace() throws {
        let dir = temporaryDirectory()
        let writer = MediaFileWriter(finalURL: dir.appendingPathComponent("CA.mp3"), write: { _, _, _ in errno = ENOSPC; return -1 }) { _, _ in }
        writer.onHead(HTTPResponseHead(status: 200, headers: ["content-type": "audio/mpeg", "content-length": "16"]))
        let id3 = Data("ID3".utf8) + Data(repeating: 0, count: 13)
        let accepted = id3.withUnsafeBytes { writer.onBody($0) }
        #expect(!accepted)
        guard case .failure(.diskFull(let free, let directory)) = writer.commit(relativePath: "CA.mp3") else {
            Issue.record("expected disk full"); return
        }
        #expect(directory == dir.path && free >= 0)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("CA.mp3").path))

        var memory = RetryMemory(transientFailures: 7)
        let policy = DownloadPolicy(hostName: "api.twilio.com")
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let decision = policy.decide(.diskFull(freeBytes: 1234, directory: "/data/recordings"), memory: &memory, now: now, jitter: 0.5)
        #expect(decision == .retry(state: .retrying, at: now.addingTimeInterval(60), reason: "disk full: 1234 bytes free in /data/recordings"))
        #expect(memory.transientFailures == 7)  // not counted against the budget
    }

    @Test func aBadURLIsNotANetworkError() {
        var memory = RetryMemory()
        let decision = DownloadPolicy(hostName: "h").decide(.transport(.badURL("URL using bad/illegal format (curl 3)")), memory: &memory,
                                                            now: Date(), jitter: 0)
        guard case .failed = decision else { Issue.record("expected failed, got \(decision)"); return }
    }
}
