@testable import CallTopCore
import CallTopWebhooks
import Foundation
import Testing

/// serve's tables: recording callbacks, realtime segments, settlements and cross-checks.
@Suite struct WebhooksContractTests {
    func callback(_ n: Int, _ status: String, errorCode: Int? = nil) -> RecordingCallbackFacts {
        RecordingCallbackFacts(accountSid: accountSid, callSid: callSid(n), recordingSid: recordingSid(n), status: status,
                               durationS: status == "completed" ? 42 : nil, channels: 2, source: "StartCallRecording", startTime: t0, errorCode: errorCode)
    }

    @Test(arguments: StoreEngine.allCases)
    func aRecordingCallbackIsIdempotentAndALateInProgressChangesNothing(engine: StoreEngine) throws {
        let store = try engine.makeStore()
        #expect(try store.applyRecordingCallback(callback(1, "in-progress"), now: t0) == .notReady)
        #expect(try store.callExists(callSid(1)), "an unknown call gets a row of its own until sync fills it in")
        #expect(try store.applyRecordingCallback(callback(1, "completed"), now: t0.addingTimeInterval(1)) == .pending)
        let once = try #require(try store.recording(recordingSid(1)))
        #expect(once.status == "completed" && once.durationS == 42 && once.nextRetryAt == nil)
        #expect(try store.applyRecordingCallback(callback(1, "completed"), now: t0.addingTimeInterval(1)) == .pending)
        #expect(try store.recording(recordingSid(1)) == once, "a repeated callback changes nothing")

        #expect(try store.applyRecordingCallback(callback(1, "in-progress"), now: t0.addingTimeInterval(2)) == .pending)
        #expect(try store.recording(recordingSid(1))?.status == "completed")
        #expect(try store.callCount() == 1 && store.recordings(ofCall: callSid(1)).count == 1)
    }

    @Test(arguments: StoreEngine.allCases)
    func absentIsFinalButDoesNotUnmakeADownload(engine: StoreEngine) async throws {
        let store = try engine.makeStore()
        try store.applyRecordingCallback(callback(1, "completed"), now: t0)
        #expect(try store.applyRecordingCallback(callback(1, "absent", errorCode: 16101), now: t0.addingTimeInterval(1)) == .absent)
        #expect(try store.applyRecordingCallback(callback(1, "completed"), now: t0.addingTimeInterval(2)) == .absent, "a late completed does not revive it")
        #expect(try store.recording(recordingSid(1))?.lastError?.contains("16101") == true)

        try store.applyRecordingCallback(callback(2, "completed"), now: t0)
        try await store.markDownloaded(2)
        #expect(try store.applyRecordingCallback(callback(2, "absent"), now: t0.addingTimeInterval(1)) == .downloaded)
        #expect(try store.applyRecordingCallback(callback(2, "failed"), now: t0.addingTimeInterval(2)) == .downloaded)
    }

    @Test(arguments: StoreEngine.allCases)
    func aRepeatedRealtimeSegmentIsRefused(engine: StoreEngine) throws {
        let store = try engine.makeStore()
        let second = RealtimeSegment(transcriptionSid: "GT1", track: "inbound_track", sequenceId: 2, text: "world")
        let first = RealtimeSegment(transcriptionSid: "GT1", track: "inbound_track", sequenceId: 1, text: "hello")
        #expect(try store.saveRealtimeSegment(second, callSid: callSid(1), now: t0))
        #expect(try !store.saveRealtimeSegment(second, callSid: callSid(1), now: t0.addingTimeInterval(1)))
        #expect(try store.saveRealtimeSegment(first, callSid: callSid(1), now: t0.addingTimeInterval(2)))
        let otherTrack = RealtimeSegment(transcriptionSid: "GT1", track: "outbound_track", sequenceId: 1, text: "hi")
        #expect(try store.saveRealtimeSegment(otherTrack, callSid: callSid(1), now: t0.addingTimeInterval(3)))
        #expect(try store.realtimeSegments(callSid(1)) == [first, otherTrack, second])
        #expect(try store.realtimeSegments(callSid(2)).isEmpty)
    }

    @Test(arguments: StoreEngine.allCases)
    func aSettlementWindowIsNotRestarted(engine: StoreEngine) throws {
        let store = try engine.makeStore()
        try store.beginSettlement(callSid: callSid(1), recordingSid: recordingSid(1), completedAt: t0, firstCheckAt: t0.addingTimeInterval(5))
        try store.beginSettlement(callSid: callSid(1), recordingSid: recordingSid(2), completedAt: t0.addingTimeInterval(100),
                                  firstCheckAt: t0.addingTimeInterval(105))
        #expect(try store.settlement(callSid(1)) == WebhookSettlement(callSid: callSid(1), recordingSid: recordingSid(1), completedAt: t0, checksDone: 0,
                                                                      nextCheckAt: t0.addingTimeInterval(5), deliveredVersion: 0, deliveredSource: nil))
        #expect(try store.settlement(callSid(2)) == nil)
        #expect(try store.dueSettlements(now: t0.addingTimeInterval(4)).isEmpty)
        #expect(try store.dueSettlements(now: t0.addingTimeInterval(5)).map(\.callSid) == [callSid(1)])
        try store.scheduleSettlementCheck(callSid: callSid(1), checksDone: 1, nextCheckAt: t0.addingTimeInterval(10))
        #expect(try store.nextSettlementCheck() == t0.addingTimeInterval(10))
        #expect(try store.settlement(callSid(1))?.checksDone == 1)
    }

    @Test(arguments: StoreEngine.allCases)
    func aCrossCheckRoundTripsAndIsRedoneWhenATranscriptChanges(engine: StoreEngine) throws {
        let store = try engine.makeStore()
        try store.seed(1...2)
        try store.saveOfflineTranscript(offline("offline words"), callSid: callSid(1), recordingSid: recordingSid(1), now: t0)
        try store.saveRealtimeTranscript("realtime words", callSid: callSid(1), origin: "twilio", now: t0)
        try store.saveRealtimeTranscript("only realtime", callSid: callSid(2), origin: "twilio", now: t0)
        #expect(try store.callsNeedingCrossCheck() == [callSid(1)], "call 2 has one transcript only")

        let suspect = TranscriptCrossCheck(callSid: callSid(1), disagreement: 0.75, offlineWords: 2, realtimeWords: 2, suspect: true,
                                           checkedAt: t0.addingTimeInterval(1))
        try store.saveCrossCheck(suspect)
        #expect(try store.crossCheck(callSid(1)) == suspect)
        #expect(try store.callRow(callSid(1))?.suspect == true)
        #expect(try store.callsNeedingCrossCheck().isEmpty)

        try store.saveRealtimeTranscript("realtime words again", callSid: callSid(1), origin: "twilio", now: t0.addingTimeInterval(2))
        #expect(try store.callsNeedingCrossCheck() == [callSid(1)], "older than the realtime transcript")
        let agreed = TranscriptCrossCheck(callSid: callSid(1), disagreement: 0.1, offlineWords: 2, realtimeWords: 3, suspect: false,
                                          checkedAt: t0.addingTimeInterval(3))
        try store.saveCrossCheck(agreed)
        #expect(try store.crossCheck(callSid(1)) == agreed)
        #expect(try store.callRow(callSid(1))?.suspect == false)
        #expect(try store.crossCheck(callSid(2)) == nil)
    }
}
