@testable import CallTopCore
import CallTopWebhooks
import Foundation
import Testing

/// The list, the detail view and the counts behind headers and `/metrics`.
@Suite struct ListingContractTests {
    /// Call 1: pending + absent recordings; call 2: absent only; call 3: downloaded; call 4: none.
    func mixedStore(_ engine: StoreEngine) async throws -> any WebhookStore {
        let store = try engine.makeStore()
        try store.upsertCalls((1...4).map { twilioCall($0) }, now: t0)
        try store.upsertRecordings([twilioRecording(11, call: 1, created: 0), twilioRecording(12, call: 1, status: "absent", created: -30),
                                    twilioRecording(2, call: 2, status: "absent"), twilioRecording(3, call: 3)], now: t0)
        try await store.markDownloaded(3)
        return store
    }

    @Test(arguments: StoreEngine.allCases)
    func aStateFilterKeepsCallsWithAnyRecordingInIt(engine: StoreEngine) async throws {
        let store = try await mixedStore(engine)
        #expect(try store.callRows(state: .absent).map(\.callSid) == [callSid(1), callSid(2)])
        #expect(try store.callRows(state: .pending).map(\.callSid) == [callSid(1)])
        #expect(try store.callRows(state: .downloaded).map(\.callSid) == [callSid(3)])
        #expect(try store.callRows(state: .failed).isEmpty)
        let rows = try store.callRows()
        // A call's state is the one needing attention first; its recording is the primary (earliest).
        #expect(rows.map(\.downloadState) == [.pending, .absent, .downloaded, nil])
        #expect(rows[0].recordingSid == recordingSid(12) && rows[0].recordingCount == 2 && rows[0].recordings.isEmpty)
        #expect(rows[2].path == "recordings/\(callSid(3)).mp3" && rows[2].bytes == 1234 && rows[2].sha256 == sha && rows[2].attempts == 1)
        #expect(rows[3].recordingSid == nil && rows[3].recordingCount == 0)
    }

    @Test(arguments: StoreEngine.allCases)
    func rowsWithRecordingsListEveryRecordingOldestFirst(engine: StoreEngine) throws {
        let store = try engine.makeStore()
        try store.upsertCalls([twilioCall(1), twilioCall(2)], now: t0)
        try store.upsertRecordings([twilioRecording(3, call: 1, created: 60), twilioRecording(1, call: 1, created: 0),
                                    twilioRecording(2, call: 1, status: "processing", created: 30)], now: t0)
        let rows = try store.callRows(state: nil, limit: nil, withRecordings: true)
        #expect(rows.map(\.callSid) == [callSid(1), callSid(2)])
        #expect(rows[0].recordings.map(\.recordingSid) == [recordingSid(1), recordingSid(2), recordingSid(3)])
        #expect(rows[0].recordings.map(\.downloadState) == [.pending, .notReady, .pending])
        #expect(rows[0].recordings[0].channels == 1 && rows[0].recordings[0].durationS == 30)
        #expect(rows[1].recordings.isEmpty)
    }

    @Test(arguments: StoreEngine.allCases)
    func countsByStateMatchTheRows(engine: StoreEngine) async throws {
        let store = try await mixedStore(engine)
        var fromRows: [DownloadState?: Int] = [:]
        for row in try store.callRows() { fromRows[row.downloadState, default: 0] += 1 }
        let counts = try store.callCountsByState()
        #expect(counts.total == 4)
        #expect(counts.byState == fromRows)
        #expect(counts.byState == [.pending: 1, .absent: 1, .downloaded: 1, nil: 1])
        #expect(try store.stateCounts() == [.pending: 1, .absent: 2, .downloaded: 1], "per recording, not per call")
        #expect(try store.recordingSids(inState: [.absent]).sorted() == [recordingSid(2), recordingSid(12)].sorted())
    }

    @Test(arguments: StoreEngine.allCases)
    func theDetailViewHasTheCallItsRecordingsAndTheirAttempts(engine: StoreEngine) async throws {
        let store = try engine.makeStore()
        var call = twilioCall(1)
        call.endTime = t0.addingTimeInterval(-30)
        call.price = "-0.0085"
        call.priceUnit = "USD"
        try store.upsertCalls([call], now: t0)
        try store.upsertRecordings([twilioRecording(1, call: 1)], now: t0)
        _ = try #require(try await store.claimDownload(recordingSid(1), now: t0))
        try await store.recordAttempt(attempt(recordingSid(1), at: t0, http: 503, error: "HTTP 503"),
                                      decision: .retry(state: .retrying, at: t0.addingTimeInterval(5), reason: "HTTP 503"),
                                      memory: RetryMemory(transientFailures: 1), file: nil, expectedBytes: nil, now: t0)
        try await store.markDownloaded(1, now: t0.addingTimeInterval(5))

        let detail = try #require(try store.callDetail(callSid(1)))
        #expect(detail.row.callSid == callSid(1) && detail.endTime == call.endTime && detail.price == "-0.0085 USD")
        #expect(detail.recordings.count == 1)
        let r = try #require(detail.recordings.first)
        #expect(r.recordingSid == recordingSid(1) && r.downloadState == .downloaded && r.bytes == 1234)
        #expect(r.path == store.dataDir.appendingPathComponent("recordings/\(callSid(1)).mp3").path)
        #expect(r.attempts.map(\.httpStatus) == [503, 200] && r.attempts.map(\.error) == ["HTTP 503", nil])
        #expect(detail.transcript?.source == TranscriptSource.none)
        #expect(try store.callDetail(callSid(2)) == nil)
    }

    @Test(arguments: StoreEngine.allCases)
    func theJobSnapshotCountsEachKindOfJobByState(engine: StoreEngine) async throws {
        let store = try engine.makeStore()
        try store.seed(1...1)
        try await store.markDownloaded(1, now: t0.addingTimeInterval(1))
        try store.enqueueDownloadedForTranscription(now: t0.addingTimeInterval(5))
        try store.beginSettlement(callSid: callSid(1), recordingSid: recordingSid(1), completedAt: t0, firstCheckAt: t0.addingTimeInterval(5))
        #expect(try store.enqueueDelivery(callSid: callSid(1), previousVersion: 0, version: 1, source: .offline, payload: "{}", checksDone: 1,
                                          now: t0.addingTimeInterval(10)))
        try store.upsertCalls([twilioCall(2), twilioCall(3)], now: t0.addingTimeInterval(20))
        try store.upsertRecordings([twilioRecording(2, call: 2), twilioRecording(3, call: 3)], now: t0.addingTimeInterval(20))

        let snapshot = try store.jobSnapshot()
        #expect(Set(snapshot.counts) == [
            .init(kind: "download", state: "pending", count: 2), .init(kind: "download", state: "downloaded", count: 1),
            .init(kind: "transcription", state: "pending", count: 1), .init(kind: "delivery", state: "pending", count: 1),
        ])
        #expect(snapshot.oldestPendingSince == t0.addingTimeInterval(5), "the queued transcription has waited longest")
    }

    @Test(arguments: StoreEngine.allCases)
    func aCallWhoseStartIsUnknownIsListedAfterTheDatedOnes(engine: StoreEngine) throws {
        // A status callback can make a call known before sync tells its start time.
        let store = try engine.makeStore()
        try store.upsertCalls([twilioCall(1), twilioCall(2, startTime: .some(nil)), twilioCall(3)], now: t0)
        #expect(try store.callRows().map(\.callSid) == [callSid(1), callSid(3), callSid(2)])
    }
}
