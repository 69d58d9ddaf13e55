@testable import CallTopCore
import CallTopTestSupport
import CallTopWebhooks
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// What only the PostgreSQL engine has: first starts racing to migrate, a
/// schema from a newer calltop, login errors, and the change stamp fed by NOTIFY.
@Suite struct PostgresOnlyTests {
    func scratchDir() -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("calltop-contract-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// The error opening a store at `url` gives; fails the test if it opens.
    func openingFails(_ url: DatabaseURL) -> PostgresStoreError? {
        do {
            try PostgresStore(url: url, dataDir: scratchDir()).close()
            Issue.record("opened a store at \(url.redacted)")
            return nil
        } catch let error as PostgresStoreError {
            return error
        } catch {
            Issue.record("opening failed with \(type(of: error)), not PostgresStoreError: \(error)")
            return nil
        }
    }

    @Test func sixFirstStartsOnOneEmptyDatabaseAllSucceed() async throws {
        let db = try ThrowawayPostgres.shared().freshDatabase()
        let dirs = (0..<6).map { _ in scratchDir() }
        let results = await race(6) { i in try PostgresStore(url: db.url, dataDir: dirs[i], owner: .racer(i)) }
        for case .failure(let error) in results { Issue.record("a first start failed: \(error)") }
        let stores = results.compactMap { try? $0.get() }
        defer { stores.forEach { $0.close() } }
        let first = try #require(stores.first)
        #expect(stores.count == 6)
        let applied = try first.reading { s in try s.query("SELECT name FROM calltop_migrations").compactMap { $0[0].string } }
        #expect(applied.sorted() == PostgresSchema.migrations.map(\.name).sorted(), "each migration applied once")
        // All of them use the one schema.
        try stores[stores.count - 1].upsertCalls([twilioCall(1)], now: t0)
        #expect(try stores.allSatisfy { try $0.callCount() == 1 })
    }

    @Test func aSchemaWrittenByANewerCalltopIsRefused() throws {
        let pg = try ThrowawayPostgres.shared()
        let db = try pg.freshDatabase()
        try PostgresStore(url: db.url, dataDir: scratchDir()).close()
        try pg.psql("INSERT INTO calltop_migrations(name, applied_at) VALUES ('pg99: from the future', 0)", database: db.url.database)
        let error = try #require(openingFails(db.url))
        #expect(error.kind == .schemaTooNew)
        #expect(error.description.contains("newer calltop"), "\(error)")
        #expect(error.description.contains("pg99: from the future"), "\(error)")
    }

    @Test func aWrongPasswordIsNamedButNeverQuoted() throws {
        let pg = try ThrowawayPostgres.shared()
        var wrong = pg.url
        let guess = "wrong-\(UUID().uuidString)"
        wrong.password = guess
        let error = try #require(openingFails(wrong))
        #expect(error.kind == .refused)
        #expect(error.description.contains("refused the password"), "\(error)")
        #expect(!error.description.contains(guess) && !String(reflecting: error).contains(guess))
        #expect(!error.description.contains(pg.url.password ?? "-"))
    }

    @Test func aClosedPortIsUnreachable() throws {
        var closed = try ThrowawayPostgres.shared().url
        closed.port = try unusedLoopbackPort()
        let error = try #require(openingFails(closed))
        #expect(error.kind == .unreachable, "\(error)")
        #expect(!error.description.contains(closed.password ?? "-"))
    }

    @Test func anotherProcesssWriteChangesTheStampWithinASecond() async throws {
        let watcher = try StoreEngine.postgres.makeStore() as! PostgresStore
        let writer = try StoreEngine.postgres.open(beside: watcher, owner: .elsewhere) as! PostgresStore
        let polling = try PostgresStore(url: watcher.url, dataDir: scratchDir(), pollOnly: true)
        defer { [watcher, writer, polling].forEach { $0.close() } }

        let listened = watcher.changeStamp()
        #expect(watcher.changeStamp() == listened, "nobody wrote: the stamp stays")
        try writer.upsertCalls([twilioCall(1)], now: t0)
        #expect(await stampChanges(watcher, from: listened))

        let polled = polling.changeStamp()
        try writer.upsertCalls([twilioCall(2)], now: t0)
        #expect(await stampChanges(polling, from: polled), "poll-only (PgBouncer) sees it too")
    }

    /// Polls `store`'s stamp every 20 ms, as the dashboard does, for up to `seconds`.
    func stampChanges(_ store: PostgresStore, from stamp: String, within seconds: Int = 1) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if store.changeStamp() != stamp { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return store.changeStamp() != stamp
    }

    /// A loopback port nobody listens on: bound, read back and closed again.
    func unusedLoopbackPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        try #require(ok)
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
