@testable import CallTopCore
import CallTopWebhooks
import Foundation
import Testing

/// Calls and recordings as sync stores them, the same on both engines.
@Suite struct CallsAndRecordingsContractTests {
    @Test(arguments: StoreEngine.allCases)
    func upsertCallsCountsOnlyNewCalls(engine: StoreEngine) throws {
        let store = try engine.makeStore()
        #expect(try store.upsertCalls([twilioCall(2), twilioCall(1), twilioCall(3)], now: t0) == 3)
        #expect(try store.upsertCalls([twilioCall(2), twilioCall(1), twilioCall(3)], now: t0) == 0)
        // A known call with news (it ended differently) is refreshed, not counted.
        #expect(try store.upsertCalls([twilioCall(1, status: "busy"), twilioCall(4)], now: t0) == 1)
        #expect(try store.callCount() == 4)
        #expect(try store.callRow(callSid(1))?.callStatus == "busy")
        #expect(try store.callExists(callSid(4)))
        #expect(try !store.callExists(callSid(5)))
        // Call n started n minutes before t0: newest first is 1, 2, 3, 4.
        #expect(try store.callRows().map(\.callSid) == (1...4).map(callSid))
        #expect(try store.callRows(limit: 2).map(\.callSid) == [callSid(1), callSid(2)])
    }

    @Test(arguments: StoreEngine.allCases)
    func aNewRecordingsStateFollowsTwilioStatus(engine: StoreEngine) throws {
        let store = try engine.makeStore()
        try store.upsertCalls((1...5).map { twilioCall($0) }, now: t0)
        #expect(try store.upsertRecordings([twilioRecording(1, call: 1, status: "completed"), twilioRecording(2, call: 2, status: "processing"),
                                            twilioRecording(3, call: 3, status: "absent"), twilioRecording(4, call: 4, status: nil),
                                            twilioRecording(5, call: 5, status: "deleted")], now: t0) == 5)
        #expect(try store.upsertRecordings([twilioRecording(1, call: 1)], now: t0) == 0)
        #expect(try store.recording(recordingSid(1))?.downloadState == .pending)
        let processing = try #require(try store.recording(recordingSid(2)))
        #expect(processing.downloadState == .notReady && processing.nextRetryAt == t0, "not ready: checked again from now on")
        let absent = try #require(try store.recording(recordingSid(3)))
        #expect(absent.downloadState == .absent && absent.lastError?.contains("absent") == true)
        #expect(try store.recording(recordingSid(4))?.downloadState == .pending, "no status reads as completed")
        #expect(try store.recording(recordingSid(5))?.downloadState == .failed)
    }

    @Test(arguments: StoreEngine.allCases)
    func twilioFinalNewsAppliesToARecordingNotInHandOnly(engine: StoreEngine) async throws {
        let store = try engine.makeStore()
        try store.seed(1...3)
        try await store.markDownloaded(3)
        // A retrying recording keeps its state when sync sees it again unchanged.
        _ = try #require(try await store.claimDownload(recordingSid(2), now: t0))
        try await store.recordAttempt(attempt(recordingSid(2), at: t0, http: 503), decision: .retry(state: .retrying, at: t0.addingTimeInterval(30), reason: "HTTP 503"),
                                      memory: RetryMemory(transientFailures: 1), file: nil, expectedBytes: nil, now: t0)
        try store.upsertRecordings([twilioRecording(2, call: 2)], now: t0.addingTimeInterval(1))
        #expect(try store.recording(recordingSid(2))?.downloadState == .retrying)

        let later = t0.addingTimeInterval(10)
        try store.upsertRecordings([twilioRecording(1, call: 1, status: "absent"), twilioRecording(2, call: 2, status: "failed"),
                                    twilioRecording(3, call: 3, status: "absent")], now: later)
        let pending = try #require(try store.recording(recordingSid(1)))
        #expect(pending.downloadState == .absent && pending.nextRetryAt == nil && pending.lastError?.contains("absent") == true)
        let retrying = try #require(try store.recording(recordingSid(2)))
        #expect(retrying.downloadState == .failed && retrying.nextRetryAt == nil && retrying.lastError?.contains("failed") == true)
        // The file in hand stays: Twilio's later news does not unmake a download.
        let downloaded = try #require(try store.recording(recordingSid(3)))
        #expect(downloaded.downloadState == .downloaded && downloaded.path != nil && downloaded.sha256 == sha)
    }

    @Test(arguments: StoreEngine.allCases)
    func recordingsAreReadBackAndThePrimaryIsTheEarliest(engine: StoreEngine) throws {
        let store = try engine.makeStore()
        try store.upsertCalls([twilioCall(1)], now: t0)
        // Seen newest first, as Twilio's list sends them: the primary is still the earliest created.
        try store.upsertRecordings([twilioRecording(9, call: 1, created: 60), twilioRecording(8, call: 1, created: 0)], now: t0)
        let r = try #require(try store.recording(recordingSid(9)))
        #expect(r.sid == recordingSid(9) && r.callSid == callSid(1) && r.status == "completed" && r.durationS == 30 && r.channels == 1)
        #expect(r.source == "DialVerb" && r.dateCreated == t0.addingTimeInterval(60) && r.uri == twilioRecording(9, call: 1).uri)
        #expect(r.attempts == 0 && r.fileName == nil && r.leaseOwner == nil && r.metadataAt == t0)
        #expect(try store.recording(recordingSid(7)) == nil)
        #expect(try store.recordings(ofCall: callSid(1)).map(\.sid) == [recordingSid(8), recordingSid(9)])
        #expect(try store.recordings(ofCall: callSid(2)).isEmpty)
        let row = try #require(try store.callRow(callSid(1)))
        #expect(row.recordingSid == recordingSid(8) && row.recordingCount == 2)
    }
}
