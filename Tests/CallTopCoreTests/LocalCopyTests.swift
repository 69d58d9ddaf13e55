import CallTopSimulator
import Foundation
import Testing
@testable import CallTopCore

/// Team mode without shared storage: a machine fetching its own copy of a
/// recording another machine downloaded. What `fetchLocalCopy` says decides
/// whether the transcription runs, is queued again, or fails for good.
@Suite(.serialized) struct LocalCopyTests {
    /// A downloaded recording whose file this machine does not have.
    func downloadedElsewhere(_ h: SimulatorHarness) async throws -> StoredRecording {
        _ = try await h.sync()
        let sid = h.recording(0).sid
        #expect(try await h.download([sid]).byState[.downloaded] == 1)
        let stored = try #require(try h.store.recording(sid))
        try FileManager.default.removeItem(at: h.fileURL(try #require(stored.path)))
        return stored
    }

    func copier(_ h: SimulatorHarness) throws -> RecordingDownloader {
        RecordingDownloader(client: try h.workspace.client(), store: h.store, notReady: SimulatorHarness.fastNotReady, logger: h.workspace.logger)
    }

    @Test func aMatchingCopyIsKeptAndRecordedAsThisMachines() async throws {
        let h = try await SimulatorHarness.start()
        defer { Task { await h.stop() } }
        let stored = try await downloadedElsewhere(h)
        guard case .saved(let file) = try await copier(h).fetchLocalCopy(of: stored) else { Issue.record("not saved"); return }
        #expect(file.sha256 == stored.sha256)
        #expect(FileManager.default.fileExists(atPath: h.fileURL(file.relativePath).path))
        #expect(try h.store.copyHolders(ofRecording: stored.sid).contains(h.store.copyHolder))
        #expect(try h.store.recording(stored.sid)?.attempts == stored.attempts, "a copy is not a download attempt")
    }

    @Test func aCopyWithOtherBytesIsDiscardedAndSaysSo() async throws {
        let h = try await SimulatorHarness.start()
        defer { Task { await h.stop() } }
        var stored = try await downloadedElsewhere(h)
        stored.sha256 = String(repeating: "0", count: 64)   // what another machine recorded: not these bytes
        guard case .differs(let why) = try await copier(h).fetchLocalCopy(of: stored) else { Issue.record("not told apart"); return }
        #expect(why.contains("the store recorded 000000000000"))
        #expect(!FileManager.default.fileExists(atPath: h.fileURL(try #require(stored.path)).path), "a wrong copy is no copy")
        #expect(try h.store.copyHolders(ofRecording: stored.sid).count == 1, "only the machine that downloaded it")
        #expect(try h.store.recording(stored.sid)?.downloadState == .downloaded)
    }

    @Test func aCopyTwilioWillNotGiveNowIsUnavailableNotDifferent() async throws {
        let h = try await SimulatorHarness.start()
        let stored = try await downloadedElsewhere(h)
        await h.stop()
        let twilio = try await SimulatorHarness.start(["absent@\(stored.sid)"], reuse: h.workspace)
        defer { Task { await twilio.stop() } }
        guard case .unavailable(let why) = try await copier(twilio).fetchLocalCopy(of: stored) else { Issue.record("not unavailable"); return }
        guard case .absent = why else { Issue.record("expected Twilio's absent, got \(why)"); return }
        #expect(try twilio.store.recording(stored.sid)?.downloadState == .downloaded, "the download it copies stands")
    }
}
