import Foundation
import Testing
@testable import CallTopCore

/// `CallRow.worker`: which registered worker holds a call's download or
/// transcription, read with the rows, and never part of `list --json`.
extension StoreTests {
    static let workerOwner = LeaseOwner(host: "build-01.example.net", pid: 4100, token: "0a0b0c0d")

    /// Rows by both listing paths: the SQLite cursor (`Store.callRows`) and the shared transaction PostgreSQL runs.
    func rowsByBothPaths(_ store: Store) throws -> [[CallRow]] {
        [try store.callRows(),
         try store.reading(consistent: true) { try StoreTransactions.callRows($0, state: nil, limit: nil, withRecordings: false) }]
    }

    @Test func aRowNamesTheWorkerHoldingItsCallWhileTheClaimHolds() async throws {
        let dir = temporaryDirectory()
        let store = try Store(dataDir: dir)
        try store.upsertCalls([call(1), call(2), call(3)], now: now)
        try store.upsertRecordings([recording(1, call: 1), recording(2, call: 2), recording(3, call: 3)], now: now)
        let worker = try store.handle(owner: Self.workerOwner, lease: LeaseTerms())
        try worker.registerWorker(WorkerRecord(name: "worker-a", owner: Self.workerOwner, version: "0.9.0", startedAt: now,
                                               downloadSlots: 4, transcriptionSlots: 1), now: now)
        for rows in try rowsByBothPaths(store) { #expect(rows.allSatisfy { $0.worker == nil }) }

        // The worker downloads call 1 and transcribes call 2; this process (not a worker) downloads call 3.
        #expect(try await worker.claimDownload(recording(1, call: 1).sid, now: now) != nil)
        #expect(try worker.claimTranscriptionJob(call(2).sid, now: now) != nil)
        #expect(try await store.claimDownload(recording(3, call: 3).sid, now: now) != nil)
        for rows in try rowsByBothPaths(store) {
            #expect(rows.map(\.worker) == ["worker-a", "worker-a", nil])
        }
        #expect(try store.callRow(call(1).sid)?.worker == "worker-a")
        #expect(try store.callDetail(call(2).sid)?.row.worker == "worker-a")

        try worker.releaseClaims(now: now)
        for rows in try rowsByBothPaths(store) { #expect(rows.allSatisfy { $0.worker == nil }) }
        #expect(try store.callRow(call(1).sid)?.worker == nil)
    }

    @Test func theWorkerIsNotInListJSON() throws {
        var row = CallRow(callSid: call(1).sid, from: "+1", to: "+2", direction: "inbound", callStatus: "completed",
                          startTime: now, durationS: 30)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let plain = try encoder.encode(row)
        row.worker = "worker-a"
        let held = try encoder.encode(row)
        #expect(held == plain)
        #expect(!String(decoding: held, as: UTF8.self).contains("worker"))
    }
}
