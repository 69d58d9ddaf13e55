import CallTopCore
import Foundation
import Testing
@testable import CallTopWebhooks

/// The wait window and the transcript policy, with a fake clock.
@Suite struct SettlementTests {
    struct Rig {
        let workspace: Workspace
        let clock = FakeClock()
        let settler: TranscriptSettler
        var store: any WebhookStore { workspace.webhookStore }
        var logs: [String] { workspace.logSink.lines().filter { $0.hasPrefix("[WEBHOOK] ") && !$0.contains("Transcripts disagree") } }

        init(window: WaitWindow = WaitWindow()) throws {
            workspace = try Workspace(dataDir: temporaryDirectory(), host: TwilioHost(), credentials: nil, keepLogInMemory: true)
            settler = TranscriptSettler(store: workspace.webhookStore, clock: clock, window: window, logger: workspace.logger)
        }

        func completed(_ n: Int) throws {
            try store.applyRecordingCallback(RecordingCallbackFacts(accountSid: sid("AC", 1), callSid: sid("CA", n), recordingSid: sid("RE", n),
                                                                    status: "completed"), now: clock.now())
            try settler.recordingFinished(callSid: sid("CA", n), recordingSid: sid("RE", n))
        }

        func documents(_ n: Int) throws -> [[String: Any]] {
            try store.deliveries(ofCall: sid("CA", n)).map { try #require(JSONSerialization.jsonObject(with: Data($0.payload.utf8)) as? [String: Any]) }
        }
    }

    @Test func fallsBackToRealtimeAfterTwoChecksOfFiveSeconds() throws {
        let rig = try Rig()
        try rig.completed(1)
        try rig.store.saveRealtimeTranscript("hello from twilio", callSid: sid("CA", 1), origin: "twilio", now: rig.clock.now())
        #expect(try rig.settler.tick() == 0)
        rig.clock.advance(4.9)
        #expect(try rig.settler.tick() == 0)
        rig.clock.advance(0.1)                      // t+5: first check, still waiting
        #expect(try rig.settler.tick() == 0)
        #expect(try rig.store.settlement(sid("CA", 1))?.checksDone == 1)
        rig.clock.advance(4.9)
        #expect(try rig.settler.tick() == 0)
        rig.clock.advance(0.1)                      // t+10: second check, falls back
        #expect(try rig.settler.tick() == 1)
        let docs = try rig.documents(1)
        #expect(docs.count == 1)
        #expect(docs[0]["source"] as? String == "realtime")
        #expect(docs[0]["reason"] as? String == "offline pending → realtime")
        #expect(docs[0]["transcript"] as? String == "hello from twilio")
        #expect(docs[0]["version"] as? Int == 1)
        #expect(docs[0]["chars"] as? Int == 17)
        #expect(rig.logs == ["[WEBHOOK] Offline transcript missing → using realtime"])
        rig.clock.advance(60)
        #expect(try rig.settler.tick() == 0)        // nothing more until offline appears

        // The offline transcript arrives late: an update that supersedes version 1.
        try rig.store.saveOfflineTranscript(offlineTranscript("Hello from Twilio."), callSid: sid("CA", 1), recordingSid: sid("RE", 1), now: rig.clock.now())
        #expect(try rig.settler.tick() == 1)
        #expect(try rig.settler.tick() == 0)
        let update = try rig.documents(1)[1]
        #expect(update["source"] as? String == "offline")
        #expect(update["version"] as? Int == 2)
        #expect(update["supersedes"] as? Int == 1)
        #expect(update["model"] as? String == "base")
        #expect(update["audio_sha256"] as? String == String(repeating: "ab", count: 32))
        #expect(rig.logs.last == "[WEBHOOK] Using OFFLINE transcript (len=18)")
    }

    @Test func offlineWithinTheWindowIsDeliveredOnceAtOnce() throws {
        let rig = try Rig()
        try rig.completed(2)
        try rig.store.saveRealtimeTranscript("realtime words", callSid: sid("CA", 2), origin: "agent", now: rig.clock.now())
        rig.clock.advance(2)
        try rig.store.saveOfflineTranscript(offlineTranscript("  offline words  "), callSid: sid("CA", 2), recordingSid: sid("RE", 2), now: rig.clock.now())
        #expect(try rig.settler.tick() == 1)
        rig.clock.advance(30)
        #expect(try rig.settler.tick() == 0)
        let docs = try rig.documents(2)
        #expect(docs.count == 1)
        #expect(docs[0]["source"] as? String == "offline")
        #expect(docs[0]["transcript"] as? String == "offline words")
        #expect(docs[0]["supersedes"] == nil)
        #expect(rig.logs == ["[WEBHOOK] Using OFFLINE transcript (len=13)"])
    }

    @Test func windowIsConfigurableAndNoTranscriptStillSettles() throws {
        let rig = try Rig(window: WaitWindow(attempts: 3, interval: 1))
        try rig.completed(3)
        rig.clock.advance(2)
        #expect(try rig.settler.tick() == 0)
        rig.clock.advance(1)
        #expect(try rig.settler.tick() == 1)
        let doc = try #require(try rig.documents(3).first)
        #expect(doc["source"] as? String == "none")
        #expect(doc["transcript"] as? String == "")
    }

    @Test func crossCheckFlagsSuspectCalls() throws {
        let rig = try Rig()
        try rig.completed(4)
        try rig.store.saveRealtimeTranscript("the weather tomorrow will be sunny and warm", callSid: sid("CA", 4), origin: "twilio", now: rig.clock.now())
        try rig.store.saveOfflineTranscript(offlineTranscript("I would like to cancel my pharmacy order please"), callSid: sid("CA", 4),
                                            recordingSid: sid("RE", 4), now: rig.clock.now())
        try rig.completed(5)
        try rig.store.saveRealtimeTranscript("I would like to cancel my order", callSid: sid("CA", 5), origin: "twilio", now: rig.clock.now())
        try rig.store.saveOfflineTranscript(offlineTranscript("I would like to cancel my order."), callSid: sid("CA", 5),
                                            recordingSid: sid("RE", 5), now: rig.clock.now())
        #expect(Set(try rig.store.callsNeedingCrossCheck()) == [sid("CA", 4), sid("CA", 5)])
        rig.settler.crossCheckAll()
        #expect(try rig.store.callRows().filter(\.suspect).map(\.callSid) == [sid("CA", 4)])
        #expect(try rig.store.crossCheck(sid("CA", 5))?.disagreement == 0)
        #expect(try rig.store.callsNeedingCrossCheck().isEmpty)
        #expect(try rig.settler.tick() == 2)
        #expect(try rig.documents(4)[0]["suspect"] as? Bool == true)
    }
}
