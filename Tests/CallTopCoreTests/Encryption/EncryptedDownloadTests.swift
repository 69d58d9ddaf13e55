import CallTopSimulator
import Crypto
import Foundation
import Testing
@testable import CallTopCore

/// Encrypted recordings end to end against the simulator's `encrypted*`
/// scenarios: sync sees them, the downloader fetches `.wav`, decrypts,
/// verifies, and names a file only once it is verified.
@Suite(.serialized) struct EncryptedDownloadTests {
    static let scenarios = ["encrypted@0", "encrypted_fallback@1", "encrypted_unstored@2", "encrypted_corrupt@3"]

    func keys(_ h: SimulatorHarness, fallback: Bool = true) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("calltop-keys-\(UUID().uuidString.prefix(8))")
        try h.simulator.writeRecordingKeys(to: dir, includeFallback: fallback)
        return dir
    }

    func download(_ h: SimulatorHarness, _ sids: [String], keys: URL?, keep: EncryptionSettings.Keep = .no) async throws -> DownloadRunner.Summary {
        let runner = try h.workspace.downloadRunner(retry: SimulatorHarness.fastRetry, notReady: SimulatorHarness.fastNotReady,
                                                    encryption: EncryptionSettings(keyring: RecordingKeyring(directory: keys), keep: keep))
        return await runner.run(sids, options: .init(concurrency: 2, wait: 5))
    }

    func files(_ h: SimulatorHarness) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: h.store.recordingsDir.path)) ?? []).sorted()
    }

    func sha256(_ data: Data) -> String { Hex.encode(SHA256.hash(data: data)) }

    @Test func syncStoresTheDetailsAndListShowsThem() async throws {
        let h = try await SimulatorHarness.start(Self.scenarios, calls: 12)
        defer { Task { await h.stop() } }
        _ = try await h.sync()
        let keySids = h.simulator.recordingKeys().map(\.publicKeySid)
        let (r0, r1, r2) = (h.recording(0), h.recording(1), h.recording(2))
        #expect(try h.store.encryptionDetails(of: r0.sid)?.publicKeySid == keySids[0])
        #expect(try h.store.encryptionDetails(of: r1.sid)?.publicKeySid == keySids[1])
        #expect(try h.store.encryptionDetails(of: r2.sid) == nil)
        let plain = try #require(h.simulator.recordings().first { $0.scenarios.isEmpty })
        #expect(try h.store.encryptionDetails(of: plain.sid) == nil)
        // 16105 is final, like absent, and says what it means.
        let unstored = try #require(try h.store.recording(r2.sid))
        #expect(unstored.downloadState == .absent)
        #expect(unstored.lastError?.contains("16105") == true && unstored.lastError?.contains("no valid public key") == true)
        // list --json: `encrypted` and `public_key_sid` on the call.
        let rows = try h.store.callRows()
        let row = try #require(rows.first { $0.callSid == r0.callSid && $0.recordingSid == r0.sid } ?? rows.first { $0.recordingSid == r0.sid })
        #expect(row.encrypted && row.publicKeySid == keySids[0])
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(row)) as? [String: Any]
        #expect(json?["encrypted"] as? Bool == true && json?["public_key_sid"] as? String == keySids[0])
        let plainRow = try #require(rows.first { $0.publicKeySid == nil })
        let plainJSON = try JSONSerialization.jsonObject(with: JSONEncoder().encode(plainRow)) as? [String: Any]
        #expect(plainJSON?["encrypted"] as? Bool == false && plainJSON?["public_key_sid"] is NSNull)
    }

    @Test func downloadsDecryptsAndVerifiesWithPrimaryAndFallbackKeys() async throws {
        let h = try await SimulatorHarness.start(Self.scenarios, calls: 12)
        defer { Task { await h.stop() } }
        _ = try await h.sync()
        let dir = try keys(h)
        let targets = [h.recording(0), h.recording(1)]
        let summary = try await download(h, targets.map(\.sid), keys: dir)
        #expect(summary.byState[.downloaded] == 2)
        for r in targets {
            let stored = try #require(try h.store.recording(r.sid))
            #expect(stored.downloadState == .downloaded, "\(stored.lastError ?? "")")
            let path = try #require(stored.path)
            #expect(path.hasSuffix(".wav"))
            let plain = try #require(h.simulator.plainWav(ofRecording: r.sid))
            let saved = try Data(contentsOf: h.fileURL(path))
            #expect(saved == plain)
            #expect(stored.sha256 == sha256(plain) && stored.bytes == Int64(plain.count))
            var st = stat()
            #expect(stat(h.fileURL(path).path, &st) == 0 && st.st_mode & 0o777 == 0o600)
            // Only .wav was asked for: .mp3 of an encrypted recording is 16109.
            let media = h.simulator.requests().filter { $0.isMedia && $0.recordingSid == r.sid }
            #expect(!media.isEmpty && media.allSatisfy { $0.path.hasSuffix(".wav") })
        }
        #expect(h.workspace.logSink.lines().contains { $0.contains("fallback key \(h.simulator.recordingKeys()[1].publicKeySid) (16107)") })
        #expect(!files(h).contains { $0.hasSuffix(".part") || $0.hasSuffix(".enc") })
        // The key is never in the log.
        let log = try String(contentsOf: h.workspace.dataDir.appendingPathComponent("logs/calltop.log"), encoding: .utf8)
        for key in h.simulator.recordingKeys() {
            let line = key.privateKeyPEM.split(separator: "\n")[1]
            #expect(!log.contains(line))
        }
    }

    @Test func noKeyFailsWithTheKeySidAndAUserRetryAfterAddingItWorks() async throws {
        let h = try await SimulatorHarness.start(Self.scenarios, calls: 12)
        defer { Task { await h.stop() } }
        _ = try await h.sync()
        let r = h.recording(1)  // the fallback key's recording; the folder has only the primary key
        let dir = try keys(h, fallback: false)
        _ = try await download(h, [r.sid], keys: dir)
        let failed = try #require(try h.store.recording(r.sid))
        let sid = h.simulator.recordingKeys()[1].publicKeySid
        #expect(failed.downloadState == .failed)
        #expect(failed.lastError?.hasPrefix("encrypted with key \(sid): put its private key in CALLTOP_RECORDING_KEYS_DIR") == true)
        #expect(h.simulator.requests().filter { $0.isMedia && $0.recordingSid == r.sid }.isEmpty, "no point fetching what cannot be opened")
        #expect(files(h).isEmpty)

        try h.simulator.writeRecordingKeys(to: dir)
        #expect(try h.store.resetForRetry([r.sid], now: Date()) == [r.sid])
        _ = try await download(h, [r.sid], keys: dir)
        #expect(try h.store.recording(r.sid)?.downloadState == .downloaded)
    }

    @Test func aBadTagFailsAndLeavesNothing() async throws {
        let h = try await SimulatorHarness.start(Self.scenarios, calls: 12)
        defer { Task { await h.stop() } }
        _ = try await h.sync()
        let r = h.recording(3)
        _ = try await download(h, [r.sid], keys: try keys(h), keep: .beside)
        let stored = try #require(try h.store.recording(r.sid))
        #expect(stored.downloadState == .failed)
        #expect(stored.lastError == "decryption failed: wrong key or corrupted body")
        #expect(stored.path == nil)
        #expect(files(h).isEmpty, "\(files(h))")
    }

    @Test func keepingTheEncryptedOriginalBesideOrInstead() async throws {
        let h = try await SimulatorHarness.start(Self.scenarios, calls: 12)
        defer { Task { await h.stop() } }
        _ = try await h.sync()
        let dir = try keys(h)
        let r = h.recording(0)
        _ = try await download(h, [r.sid], keys: dir, keep: .beside)
        let beside = try #require(try h.store.recording(r.sid)?.path)
        #expect(Set(files(h)) == [URL(fileURLWithPath: beside).lastPathComponent, URL(fileURLWithPath: beside).lastPathComponent + ".enc"])
        let original = try Data(contentsOf: h.fileURL(beside + ".enc"))
        #expect(original.count == (h.simulator.plainWav(ofRecording: r.sid)?.count ?? 0) + 16)

        let r1 = h.recording(1)
        _ = try await download(h, [r1.sid], keys: dir, keep: .only)
        let only = try #require(try h.store.recording(r1.sid))
        let path = try #require(only.path)
        #expect(path.hasSuffix(".wav.enc"))
        #expect(!FileManager.default.fileExists(atPath: h.fileURL(String(path.dropLast(4))).path))
        #expect(only.sha256 == sha256(try Data(contentsOf: h.fileURL(path))))
    }

    @Test func mp3OfAnEncryptedRecordingIs16109() async throws {
        let h = try await SimulatorHarness.start(Self.scenarios, calls: 12)
        defer { Task { await h.stop() } }
        let r = h.recording(0)
        let client = try h.workspace.client()
        let prefix = ErrorBodyBox()
        let head = try await client.getMedia(h.simulator.baseURL + r.uri.replacingOccurrences(of: ".json", with: ".mp3"),
                                             onHead: { _ in }, onBody: { prefix.append($0); return true })
        #expect(head.status == 400)
        #expect(TwilioErrorBody.parse(prefix.data)?.code == 16109)
        // Should Twilio ever answer it, the reason says what to do.
        var memory = RetryMemory()
        let decision = DownloadPolicy(hostName: "api.twilio.com")
            .decide(.http(status: 400, code: 16109, message: nil), memory: &memory, now: Date(), jitter: 0)
        #expect(decision == .failed(reason: "HTTP 400 (16109) from api.twilio.com: an encrypted recording exists only as .wav"))
    }
}

final class ErrorBodyBox: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes = Data()
    func append(_ chunk: UnsafeRawBufferPointer) { lock.withLock { bytes.append(contentsOf: chunk) } }
    var data: Data { lock.withLock { bytes } }
}
