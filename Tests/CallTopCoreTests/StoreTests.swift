import Foundation
import Testing
@testable import CallTopCore

func temporaryDirectory(_ name: String = #function) -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("calltop-tests-\(UUID().uuidString.prefix(8))")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

@Suite struct StoreTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func call(_ n: Int, status: String = "completed") -> TwilioCall {
        TwilioCall(sid: String(format: "CA%032x", n), from: "+1415555\(1000 + n)", to: "+1415555\(2000 + n)", direction: "inbound",
                   status: status, startTime: now.addingTimeInterval(Double(-n * 60)), durationS: 30)
    }

    func recording(_ n: Int, call: Int, status: String = "completed", created: Double = 0) -> TwilioRecording {
        TwilioRecording(sid: String(format: "RE%032x", n), callSid: String(format: "CA%032x", call), status: status, durationS: 30, channels: 1,
                        dateCreated: now.addingTimeInterval(created), uri: String(format: "/2010-04-01/Accounts/AC1/Recordings/RE%032x.json", n))
    }

    @Test func upsertIsIdempotentAndRowsAreNewestFirst() throws {
        let store = try Store(dataDir: temporaryDirectory())
        #expect(try store.upsertCalls([call(1), call(2), call(3)], now: now) == 3)
        #expect(try store.upsertCalls([call(1), call(2), call(3)], now: now) == 0)
        #expect(try store.upsertRecordings([recording(1, call: 1), recording(2, call: 2)], now: now) == 2)
        #expect(try store.upsertRecordings([recording(1, call: 1), recording(2, call: 2)], now: now) == 0)
        let rows = try store.callRows()
        #expect(rows.map(\.callSid) == [call(1).sid, call(2).sid, call(3).sid])
        #expect(rows[0].downloadState == .pending && rows[0].recordingSid == recording(1, call: 1).sid)
        #expect(rows[2].downloadState == nil && rows[2].recordingSid == nil)
        #expect(try store.callRows(state: .pending).count == 2)
    }

    @Test func initialStatesFollowTwilioStatus() throws {
        let store = try Store(dataDir: temporaryDirectory())
        try store.upsertCalls([call(1), call(2), call(3)], now: now)
        try store.upsertRecordings([recording(1, call: 1, status: "processing"), recording(2, call: 2, status: "absent"), recording(3, call: 3, status: "deleted")], now: now)
        #expect(try store.recording(recording(1, call: 1).sid)?.downloadState == .notReady)
        #expect(try store.recording(recording(2, call: 2).sid)?.downloadState == .absent)
        #expect(try store.recording(recording(3, call: 3).sid)?.downloadState == .failed)
    }

    @Test func resyncKeepsDownloadStateButHonoursAbsent() throws {
        let store = try Store(dataDir: temporaryDirectory())
        try store.upsertCalls([call(1)], now: now)
        let sid = recording(1, call: 1).sid
        try store.upsertRecordings([recording(1, call: 1)], now: now)
        let attempt = DownloadAttempt(recordingSid: sid, startedAt: now, httpStatus: 503, twilioCode: 20503, bytes: 0, durationMs: 5, error: "x")
        try store.recordAttempt(attempt, decision: .retry(state: .retrying, at: now.addingTimeInterval(5), reason: "HTTP 503"),
                                memory: RetryMemory(transientFailures: 1), file: nil, expectedBytes: nil, now: now)
        try store.upsertRecordings([recording(1, call: 1)], now: now)
        #expect(try store.recording(sid)?.downloadState == .retrying)
        try store.upsertRecordings([recording(1, call: 1, status: "absent")], now: now)
        #expect(try store.recording(sid)?.downloadState == .absent)
    }

    @Test func userRetryMovesFailedBackToPendingAtOnce() throws {
        let store = try Store(dataDir: temporaryDirectory())
        try store.upsertCalls([call(1)], now: now)
        let sid = recording(1, call: 1).sid
        try store.upsertRecordings([recording(1, call: 1)], now: now)
        let attempt = DownloadAttempt(recordingSid: sid, startedAt: now, httpStatus: 401, twilioCode: 20003, bytes: 0, durationMs: 5, error: "auth")
        try store.recordAttempt(attempt, decision: .failed(reason: "auth"), memory: RetryMemory(transientFailures: 8), file: nil, expectedBytes: nil, now: now)
        #expect(try store.recording(sid)?.downloadState == .failed)
        #expect(try store.resetForRetry([sid], now: now) == [sid])
        let r = try #require(try store.recording(sid))
        #expect(r.downloadState == .pending && r.memory.transientFailures == 0 && r.attempts == 1)
        #expect(try store.attempts(ofRecording: sid).map(\.httpStatus) == [401])
    }

    @Test func interruptedDownloadsStartAgainOnceTheirLeaseRunsOut() throws {
        let store = try Store(dataDir: temporaryDirectory())
        try store.upsertCalls([call(1)], now: now)
        let sid = recording(1, call: 1).sid
        try store.upsertRecordings([recording(1, call: 1)], now: now)
        #expect(try store.claimDownload(sid, now: now) != nil)
        #expect(try store.reclaimAbandonedWork(now: now) == 0)  // our own live claim stays
        #expect(try store.reclaimAbandonedWork(now: now.addingTimeInterval(store.lease.duration + 1)) == 1)
        #expect(try store.recording(sid)?.downloadState == .pending)
    }

    @Test func primaryRecordingIsTheEarliest() throws {
        let store = try Store(dataDir: temporaryDirectory())
        try store.upsertCalls([call(1)], now: now)
        try store.upsertRecordings([recording(9, call: 1, created: 60), recording(8, call: 1, created: 0)], now: now)
        #expect(try store.recordings(ofCall: call(1).sid).map(\.sid) == [recording(8, call: 1).sid, recording(9, call: 1).sid])
        #expect(try store.callRows().first?.recordingSid == recording(8, call: 1).sid)
        #expect(RecordingDownloader.relativePath(recordingSid: "RE9", callSid: "CA1", isPrimary: false) == "recordings/CA1-RE9.mp3")
        #expect(RecordingDownloader.relativePath(recordingSid: "RE8", callSid: "CA1", isPrimary: true) == "recordings/CA1.mp3")
    }

    @Test func listJSONHasExactlyTheDocumentedFields() throws {
        let row = CallRow(callSid: "CA1", from: "+1", to: "+2", direction: "inbound", callStatus: "completed",
                          startTime: now, durationS: 3)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let object = try JSONSerialization.jsonObject(with: encoder.encode(row)) as! [String: Any]
        #expect(Set(object.keys) == ["call_sid", "from", "to", "direction", "call_status", "start_time", "duration_s",
                                     "recording_sid", "download_state", "bytes", "expected_bytes", "attempts", "last_error",
                                     "next_retry_at", "path", "sha256", "transcript_source", "transcript_chars",
                                     "suspect", "delivery", "recordings", "encrypted", "public_key_sid"])
        #expect(object["start_time"] as? String == "2027-01-15T08:00:00Z")
        #expect(object["transcript_source"] as? String == "none")
        #expect(object["recording_sid"] is NSNull)
    }

    @Test func countsByStateMatchTheRowsWithoutLoadingThem() throws {
        let store = try Store(dataDir: temporaryDirectory())
        try store.upsertCalls((1...6).map { call($0) }, now: now)
        // Call 1 has two recordings, absent and pending: it counts as pending, the one needing attention. Call 6 has none.
        try store.upsertRecordings([recording(11, call: 1, created: 60), recording(10, call: 1, status: "absent", created: 0),
                                    recording(2, call: 2), recording(3, call: 3, status: "processing"),
                                    recording(4, call: 4, status: "deleted"), recording(5, call: 5)], now: now)
        var fromRows: [DownloadState?: Int] = [:]
        for row in try store.callRows() { fromRows[row.downloadState, default: 0] += 1 }
        let counts = try store.callCountsByState()
        #expect(counts.total == 6)
        #expect(counts.byState == fromRows)
        #expect(counts.byState[.absent] == nil && counts.byState[nil] == 1 && counts.byState[.pending] == 3)
        #expect(try store.callRows(limit: 2).map(\.callSid) == [call(1).sid, call(2).sid])
    }
}
