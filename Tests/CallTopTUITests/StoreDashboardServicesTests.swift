import Foundation
import Testing
@testable import CallTopCore
@testable import CallTopTUI

/// The dashboard's services over a real (empty) store.
@Suite struct StoreDashboardServicesTests {
    func services(readonly: Bool = true) throws -> StoreDashboardServices {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("calltop-services-\(UUID().uuidString.prefix(8))")
        let workspace = try Workspace(dataDir: dir, host: TwilioHost(), credentials: nil, keepLogInMemory: true)
        return StoreDashboardServices(workspace: workspace, context: Fixture.context(readonly: readonly, transcription: false), transcription: nil)
    }

    @Test func aFirstPageIsWorthItOnlyAboveFourPages() {
        #expect(!StoreDashboardServices.wantsFirstPage(totalCalls: 0, limit: 100))
        #expect(!StoreDashboardServices.wantsFirstPage(totalCalls: 400, limit: 100))
        #expect(StoreDashboardServices.wantsFirstPage(totalCalls: 401, limit: 100))
    }

    @Test func aSmallStoreLoadsWholeWithoutAPage() async throws {
        let services = try services()
        #expect(try await services.loadFirstPage(limit: 50) == nil)
        #expect(try await services.loadRows().isEmpty)
    }

    @Test func transcribingWithoutAnEngineSaysWhy() async throws {
        let services = try services(readonly: false)
        await #expect(throws: DashboardFailure.self) { try await services.transcribe(callSids: ["CA" + String(repeating: "1", count: 32)]) }
    }
}

/// Team mode over a real store (SQLite stands in for PostgreSQL: what
/// differs is only who does the work, and here nobody should).
@Suite struct TeamModeServicesTests {
    let callSid = "CA" + String(repeating: "7", count: 32)
    let recordingSid = "RE" + String(repeating: "7", count: 32)

    /// A team-mode dashboard with credentials, so it could download if it wrongly tried
    /// (to a closed local port: a wrong try fails fast and moves the recording off pending).
    func teamServices() throws -> StoreDashboardServices {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("calltop-team-\(UUID().uuidString.prefix(8))")
        let workspace = try Workspace(dataDir: dir, host: TwilioHost(apiBaseURL: "http://127.0.0.1:9"),
                                      credentials: Credentials(accountSid: "AC" + String(repeating: "0", count: 32), authToken: "token"),
                                      keepLogInMemory: true, environment: [:])
        let now = Date()
        try workspace.store.upsertCalls([TwilioCall(sid: callSid, from: "+1", to: "+2", direction: "inbound", status: "completed",
                                                    startTime: now, durationS: 30)], now: now)
        // Twilio says deleted: the recording starts out failed.
        try workspace.store.upsertRecordings([TwilioRecording(sid: recordingSid, callSid: callSid, status: "deleted", durationS: 30, channels: 1,
                                                              dateCreated: now, uri: "/2010-04-01/Accounts/AC1/Recordings/\(recordingSid).json")], now: now)
        return StoreDashboardServices(workspace: workspace, context: Fixture.context(transcription: false, demo: false, team: true),
                                      transcription: nil)
    }

    @Test func downloadOnlyQueuesTheRecordingForTheWorkers() async throws {
        let services = try teamServices()
        #expect(try services.workspace.store.recording(recordingSid)?.downloadState == .failed)
        let messages = services.events()
        await services.download(callSids: [callSid])
        services.startDownloads()  // what `calltop` calls at start: nothing to start in team mode
        #expect(try services.workspace.store.recording(recordingSid)?.downloadState == .pending)
        #expect(await firstMessage(messages) == "queued 1 recording(s) for the workers")
        // A download started here would have claimed it within this time (the loop looks every second).
        try await Task.sleep(for: .milliseconds(1500))
        let recording = try #require(try services.workspace.store.recording(recordingSid))
        #expect(recording.downloadState == .pending && recording.attempts == 0)
    }

    @Test func transcribeLeavesAPendingJobWithoutASpeechEngine() async throws {
        let services = try teamServices()
        let messages = services.events()
        try await services.transcribe(callSids: [callSid])
        #expect(await firstMessage(messages) == "queued transcription of 1 call(s) for the workers")
        let jobs = try services.workspace.store.jobSnapshot().counts.filter { $0.kind == "transcription" }
        #expect(jobs == [JobSnapshot.Count(kind: "transcription", state: "pending", count: 1)])
    }

    /// The first message on the bus, or nil after a few seconds (never hangs the suite).
    func firstMessage(_ events: AsyncStream<CoreEvent>) async -> String? {
        await withTaskGroup(of: String?.self) { group in
            group.addTask {
                for await event in events { if case .message(let text, _) = event { return text } }
                return nil
            }
            group.addTask { try? await Task.sleep(for: .seconds(5)); return nil }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    @Test func workersLoadFromTheStore() async throws {
        let services = try teamServices()
        #expect(try await services.loadWorkers().isEmpty)
        let owner = LeaseOwner(host: "build-01.example.net", pid: 4100, token: "0a0b0c0d")
        try services.workspace.store.registerWorker(
            WorkerRecord(name: "worker-a", owner: owner, version: "0.9.0", startedAt: Date(), downloadSlots: 4, transcriptionSlots: 1), now: Date())
        #expect(try await services.loadWorkers().map(\.name) == ["worker-a"])
    }
}
