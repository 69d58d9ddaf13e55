import CallTopSimulator
import Crypto
import Foundation
import Testing
@testable import CallTopCore

/// The downloader against the simulator, one fault scenario at a time: the
/// resulting state, bytes, attempts and files.
@Suite(.serialized) struct DownloadIntegrationTests {
    func sha256(_ url: URL) throws -> String {
        Hex.encode(SHA256.hash(data: try Data(contentsOf: url)))
    }

    func leftoverTempFiles(_ h: SimulatorHarness) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: h.store.recordingsDir.path)) ?? []).filter { $0.hasSuffix(".part") }
    }

    @Test func cleanRunDownloadsEveryRecordingExactly() async throws {
        let h = try await SimulatorHarness.start()
        defer { Task { await h.stop() } }
        let report = try await h.sync()
        let expected = h.simulator.recordings()
        #expect(report.calls == 6 && report.recordings == expected.count)
        let summary = try await h.download(expected.map(\.sid))
        #expect(summary.byState[.downloaded] == expected.filter { $0.status == "completed" }.count)
        for r in expected where r.status == "completed" {
            let stored = try #require(try h.store.recording(r.sid))
            #expect(stored.downloadState == .downloaded)
            #expect(stored.attempts == 1)
            let path = try #require(stored.path)
            #expect(path.hasPrefix("recordings/\(r.callSid)"))
            #expect(try sha256(h.fileURL(path)) == stored.sha256)
            #expect(stored.bytes == stored.expectedBytes)
            if r.channels == 1 {
                #expect(stored.bytes == Int64(r.mp3Bytes))
                #expect(stored.sha256 == r.mp3SHA256)
            } else {
                // Dual-channel recordings are fetched with RequestedChannels=2: both voices, not the mix.
                #expect(stored.sha256 != r.mp3SHA256)
                let media = h.simulator.requests().filter { $0.isMedia && $0.recordingSid == r.sid }
                #expect(media.allSatisfy { $0.query?.contains("RequestedChannels=2") == true })
            }
        }
        #expect(leftoverTempFiles(h).isEmpty)
        // Re-running sync changes nothing and keeps the states.
        let again = try await h.sync()
        #expect(again.newCalls == 0 && again.newRecordings == 0)
        #expect(try h.store.recordingSids(inState: [.downloaded]).count == summary.byState[.downloaded])
    }

    @Test func logsTheSeedLinesInOrderAndNoSecret() async throws {
        let h = try await SimulatorHarness.start()
        defer { Task { await h.stop() } }
        _ = try await h.sync()
        let r = h.recording(0)
        _ = try await h.download([r.sid])
        let lines = h.workspace.logSink.lines().filter { $0.hasPrefix("[OFFLINE_STT]") }
        let expectedPrefixes = [
            "[OFFLINE_STT] Original recording_url for \(r.callSid): /2010-04-01/",
            "[OFFLINE_STT] Extracted recording SID: \(r.sid)",
            // The sync a moment ago said completed: no metadata GET, and the log says so.
            "[OFFLINE_STT] Recording known from sync: \(r.sid), duration=\(r.durationSeconds)s",
            "[OFFLINE_STT] Downloading recording via Twilio client: \(h.simulator.baseURL)/2010-04-01/",
            "[OFFLINE_STT] Download status: 200, bytes=\(r.mp3Bytes)",
            "[OFFLINE_STT] Recording saved to disk: recordings/\(r.callSid).mp3 (\(r.mp3Bytes) bytes)",
        ]
        #expect(lines.count == expectedPrefixes.count)
        for (line, prefix) in zip(lines, expectedPrefixes) { #expect(line.hasPrefix(prefix), "\(line)") }
        let log = try String(contentsOf: h.workspace.dataDir.appendingPathComponent("logs/calltop.log"), encoding: .utf8)
        let config = h.simulator.config
        #expect(!log.contains(config.authToken))
        #expect(!log.contains(Data("\(config.accountSid):\(config.authToken)".utf8).base64EncodedString()))
        #expect(log.contains("Recording saved to disk"))
        #expect(h.simulator.requests().filter { $0.recordingSid == r.sid }.map(\.isMedia) == [true])  // one request for the recording
    }

    @Test func staleMetadataIsFetchedFirst() async throws {
        let h = try await SimulatorHarness.start()
        defer { Task { await h.stop() } }
        _ = try await h.sync()
        let r = h.recording(0)
        let downloader = RecordingDownloader(client: try h.workspace.client(), store: h.store, metadataMaxAge: 0, logger: h.workspace.logger)
        #expect(await downloader.attempt(r.sid) == .downloaded)
        #expect(h.workspace.logSink.lines().contains { $0.hasPrefix("[OFFLINE_STT] Recording fetched: \(r.sid)") })
        #expect(h.simulator.requests().filter { $0.recordingSid == r.sid }.map(\.isMedia) == [false, true])
    }

    /// A skipped metadata GET whose media answers 404: the metadata is fetched then, and says what the 404 means.
    @Test(arguments: ["absent", "not_ready=2"])
    func aSkippedMetadataFetchFallsBackOnANotFound(_ scenario: String) async throws {
        let h = try await SimulatorHarness.start()
        defer { Task { await h.stop() } }
        _ = try await h.sync()
        let r = h.recording(0)
        // The store heard "completed" (a callback, say) moments ago; Twilio now disagrees.
        try h.store.forceCompleted(r.sid)
        await h.stop()
        let faulty = try await SimulatorHarness.start(["\(scenario)@\(r.sid)"], reuse: h.workspace)
        defer { Task { await faulty.stop() } }
        let decision = try #require(await RecordingDownloader(client: try faulty.workspace.client(), store: faulty.store,
                                                              notReady: SimulatorHarness.fastNotReady, logger: faulty.workspace.logger).attempt(r.sid))
        let media = faulty.simulator.requests().filter { $0.recordingSid == r.sid }
        #expect(media.map(\.isMedia) == [true, false], "media first, then the metadata that explains its 404")
        if scenario == "absent" {
            guard case .absent = decision else { Issue.record("expected absent, got \(decision)"); return }
        } else {
            guard case .retry(.notReady, _, _) = decision else { Issue.record("expected not_ready, got \(decision)"); return }
        }
    }

    @Test func apiKeyCredentialsWork() async throws {
        let h = try await SimulatorHarness.start(apiKey: true)
        defer { Task { await h.stop() } }
        _ = try await h.sync()
        let r = h.recording(0)
        #expect(try await h.download([r.sid]).byState[.downloaded] == 1)
        #expect(h.simulator.requests().allSatisfy { $0.credential == .apiKey })
    }

    @Test func notReadyIsRetriedUntilTwilioFinishes() async throws {
        let h = try await SimulatorHarness.start(["not_ready=2@0"])
        defer { Task { await h.stop() } }
        _ = try await h.sync()
        let r = h.recording(0)
        let summary = try await h.download([r.sid])
        #expect(summary.byState[.downloaded] == 1)
        let attempts = try h.store.attempts(ofRecording: r.sid)
        #expect(attempts.count >= 2)
        #expect(attempts.last?.httpStatus == 200 && attempts.last?.error == nil)
        #expect(attempts.dropLast().allSatisfy { $0.error?.contains("processing") == true || $0.httpStatus == 404 })
        #expect(try h.store.recording(r.sid)?.sha256 == r.mp3SHA256)
    }

    @Test func notReadyOutsideTheWaitWindowStaysWaitingWithItsNextTime() async throws {
        let h = try await SimulatorHarness.start(["not_ready=5@0"])
        defer { Task { await h.stop() } }
        _ = try await h.sync()
        let r = h.recording(0)
        let summary = try await h.download([r.sid], wait: 0, notReady: NotReadySchedule(delays: [30], window: 900))
        #expect(!summary.allSettled)
        let stored = try #require(try h.store.recording(r.sid))
        #expect(stored.downloadState == .notReady)
        #expect(stored.nextRetryAt != nil)
    }

    /// Two 429s are asked again through the gate within the attempt; the third reaches the policy's backoff.
    @Test func rateLimitedMediaIsAskedAgainThroughTheGateThenBacksOff() async throws {
        let h = try await SimulatorHarness.start(["rate_limited=3@0"])
        defer { Task { await h.stop() } }
        _ = try await h.sync()
        let r = h.recording(0)
        #expect(try await h.download([r.sid]).byState[.downloaded] == 1)
        #expect(try h.store.attempts(ofRecording: r.sid).map(\.httpStatus) == [429, 200])
        let media = h.simulator.requests().filter { $0.isMedia && $0.recordingSid == r.sid }.map(\.status)
        #expect(media == [429, 429, 429, 200])
    }

    @Test(arguments: [("flaky=2@0", 503, 20503)])
    func transientErrorsBackOffAndSucceed(scenario: String, status: Int, code: Int) async throws {
        let h = try await SimulatorHarness.start([scenario])
        defer { Task { await h.stop() } }
        _ = try await h.sync()
        let r = h.recording(0)
        #expect(try await h.download([r.sid]).byState[.downloaded] == 1)
        let attempts = try h.store.attempts(ofRecording: r.sid)
        #expect(attempts.map(\.httpStatus) == [status, status, 200])
        #expect(attempts.prefix(2).allSatisfy { $0.twilioCode == code })
        #expect(try h.store.recording(r.sid)?.bytes == Int64(r.mp3Bytes))
    }

    @Test func truncatedBodyIsNeverKeptAndIsRetried() async throws {
        let h = try await SimulatorHarness.start(["truncated=1@0"])
        defer { Task { await h.stop() } }
        _ = try await h.sync()
        let r = h.recording(0)
        #expect(try await h.download([r.sid]).byState[.downloaded] == 1)
        let attempts = try h.store.attempts(ofRecording: r.sid)
        #expect(attempts.count == 2)
        #expect(attempts[0].error?.contains("closed after") == true)
        #expect(attempts[0].bytes > 0 && attempts[0].bytes < Int64(r.mp3Bytes))
        let stored = try #require(try h.store.recording(r.sid))
        #expect(try sha256(h.fileURL(stored.path!)) == r.mp3SHA256)
        #expect(leftoverTempFiles(h).isEmpty)
    }

    @Test func xmlErrorBodyIsNotSavedAsAudio() async throws {
        let h = try await SimulatorHarness.start(["xml_error@0"])
        defer { Task { await h.stop() } }
        _ = try await h.sync()
        let r = h.recording(0)
        #expect(try await h.download([r.sid]).byState[.failed] == 1)
        let stored = try #require(try h.store.recording(r.sid))
        #expect(stored.lastError?.contains("instead of audio") == true)
        #expect(stored.path == nil)
        #expect(!FileManager.default.fileExists(atPath: h.fileURL("recordings/\(r.callSid).mp3").path))
        #expect(leftoverTempFiles(h).isEmpty)
        #expect(try h.store.attempts(ofRecording: r.sid).count == 1)
    }

    @Test func offHostRedirectNeverCarriesCredentials() async throws {
        let h = try await SimulatorHarness.start(["redirect_offhost@0"])
        defer { Task { await h.stop() } }
        _ = try await h.sync()
        let r = h.recording(0)
        #expect(try await h.download([r.sid]).byState[.failed] == 1)
        #expect(h.simulator.offhostRequests().allSatisfy { !$0.hadAuthorizationHeader })
        let stored = try #require(try h.store.recording(r.sid))
        #expect(stored.lastError?.contains("refused") == true)
    }

    @Test func absentRecordingsAreFinal() async throws {
        let h = try await SimulatorHarness.start(["absent@0"])
        defer { Task { await h.stop() } }
        _ = try await h.sync()
        let r = h.recording(0)
        #expect(try h.store.recording(r.sid)?.downloadState == .absent)
        _ = try await h.download([r.sid])
        #expect(try h.store.recording(r.sid)?.downloadState == .absent)
        #expect(try h.store.attempts(ofRecording: r.sid).isEmpty)
    }

    @Test func slowDownloadsReportProgress() async throws {
        let h = try await SimulatorHarness.start(["slow=40000@0"])
        defer { Task { await h.stop() } }
        _ = try await h.sync()
        let r = h.recording(0)
        let events = h.workspace.bus.stream()
        let collector = Task {
            var progress: [Int64] = []
            for await e in events {
                if case let .downloadProgress(_, sid, bytes, _) = e, sid == r.sid { progress.append(bytes) }
                if progress.last == Int64(r.mp3Bytes) { break }
            }
            return progress
        }
        #expect(try await h.download([r.sid]).byState[.downloaded] == 1)
        let progress = await collector.value
        #expect(progress.count >= 2)
        #expect(progress == progress.sorted())
    }

    @Test func wrongCredentialsFailFastAndSayWhatToCheck() async throws {
        let h = try await SimulatorHarness.start(["wrong_credentials"])
        defer { Task { await h.stop() } }
        do {
            _ = try await h.sync()
            Issue.record("sync should fail")
        } catch {
            let message = String(describing: error)
            #expect(message.contains("401"))
            #expect(message.contains("TWILIO_REGION/TWILIO_EDGE"))
            #expect(!message.contains(h.simulator.config.authToken))
        }
    }

    @Test func manyCallsSyncInPagesAndResyncIsIdempotent() async throws {
        let h = try await SimulatorHarness.start(["many_calls=3000"])
        defer { Task { await h.stop() } }
        let first = try await h.sync(.init(pageSize: 1000))
        #expect(first.calls == 3000 && first.newCalls == 3000)
        #expect(try h.store.callCount() == 3000)
        let second = try await h.sync(.init(pageSize: 1000))
        #expect(second.newCalls == 0 && second.newRecordings == 0)
        #expect(try h.store.callCount() == 3000)
        let limited = try await SimulatorHarness.start(["many_calls=3000"])
        defer { Task { await limited.stop() } }
        #expect(try await limited.sync(.init(limit: 120, pageSize: 50)).calls == 120)
        #expect(try limited.store.callCount() == 120)
    }

    @Test func namedReferencesResolveFromUrlsAndCalls() async throws {
        let h = try await SimulatorHarness.start()
        defer { Task { await h.stop() } }
        let r = h.recording(0)
        let client = try h.workspace.client()
        let targets = DownloadTargets(client: client, store: h.store, logger: h.workspace.logger)
        // Nothing synced: the references alone bring the call and recording in.
        let sids = try await targets.resolve([try RecordingReference.parse("\(h.simulator.baseURL)\(r.uri.replacingOccurrences(of: ".json", with: ".mp3"))")])
        #expect(sids == [r.sid])
        #expect(try h.store.callExists(r.callSid))
        let byCall = try await targets.resolve([.call(r.callSid)])
        #expect(byCall.contains(r.sid))
    }
}
