import CallTopCore
import CallTopTestSupport
import Foundation
import Testing

/// The least-privilege roles of `contrib/postgres/roles.sql`, as the README
/// documents them: a dashboard reads and queues work, a read-only role reads,
/// and neither can do more; a worker does all a worker does.
@Suite(.serialized) struct RoleGrantTests {
    static var rolesFile: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("contrib/postgres/roles.sql")
    }

    func url(_ base: DatabaseURL, user: String, password: String) -> DatabaseURL {
        var url = base
        url.user = user
        url.password = password
        return url
    }

    @Test func eachRoleMayDoWhatTheReadmeSaysAndNoMore() async throws {
        let cluster = try ThrowawayPostgres.shared()
        let database = try cluster.freshDatabase()
        // The owner's first start creates the schema; then the roles are made as the README says.
        let owner = try PostgresStore(url: database.url, dataDir: FileManager.default.temporaryDirectory)
        try owner.seed(1...2)
        try await owner.markDownloaded(1)
        try owner.markFileProblem(recordingSid(1), reason: "differs", now: t0)
        owner.close()
        try cluster.psql(try String(contentsOf: Self.rolesFile, encoding: .utf8), database: database.url.database)
        for role in ["calltop_worker", "calltop_dashboard", "calltop_readonly"] {
            try cluster.psql("ALTER ROLE \(role) PASSWORD '\(role)-secret'", database: database.url.database)
        }
        let dir = FileManager.default.temporaryDirectory

        let dashboard = try PostgresStore(url: url(database.url, user: "calltop_dashboard", password: "calltop_dashboard-secret"), dataDir: dir)
        defer { dashboard.close() }
        #expect(try dashboard.callRows().count == 2)
        #expect(try dashboard.resetForRetry([recordingSid(1)], now: t0) == [recordingSid(1)], "r and R")
        try dashboard.setTranscriptionJob(callSid(2), state: .pending, now: t0)  // t
        #expect(try dashboard.reclaimAbandonedWork(now: t0) == 0)
        #expect(throws: PostgresStoreError.self) { try dashboard.upsertCalls([twilioCall(9)], now: t0) }
        do {
            try dashboard.registerWorker(WorkerRecord(name: "nope", owner: .elsewhere, version: "t", startedAt: t0, downloadSlots: 1,
                                                      transcriptionSlots: 0), now: t0)
            Issue.record("a dashboard registered a worker")
        } catch let error as PostgresStoreError {
            #expect(error.kind == .permission && error.description.contains("Team mode roles"), "\(error)")
        }

        let readonly = try PostgresStore(url: url(database.url, user: "calltop_readonly", password: "calltop_readonly-secret"), dataDir: dir)
        defer { readonly.close() }
        #expect(try readonly.callRows().count == 2)
        #expect(try readonly.authoritativeTranscript(callSid(1)) != nil)
        #expect(throws: PostgresStoreError.self) { try readonly.resetForRetry([recordingSid(2)], now: t0) }

        let worker = try PostgresStore(url: url(database.url, user: "calltop_worker", password: "calltop_worker-secret"), dataDir: dir,
                                       owner: .elsewhere)
        defer { worker.close() }
        try worker.registerWorker(WorkerRecord(name: "w", owner: .elsewhere, version: "t", startedAt: t0, downloadSlots: 1, transcriptionSlots: 1), now: t0)
        #expect(try await worker.markDownloaded(1, now: t0.addingTimeInterval(1)).downloadState == .downloaded)
        try worker.upsertCalls([twilioCall(9)], now: t0)
        #expect(throws: PostgresStoreError.self) {
            try worker.reading { s in try s.execute("CREATE TABLE not_allowed (x int)") }
        }
    }
}
