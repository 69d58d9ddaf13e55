import CallTopCore
import Foundation
import Testing
@testable import CallTopWebhooks

/// Where SQL re-states a Swift policy (the list's transcript and delivery
/// columns, the settler's candidate query), these tests hold the two to the
/// same answer over every case, so neither can drift alone.
@Suite struct PolicySQLPinTests {
    enum Offline: CaseIterable { case none, text, noSpeech, failed, running }
    enum Recording: CaseIterable { case completed, absent }
    static let realtimeTexts: [String?] = [nil, "", " \n\t", "\u{00A0}", "hi there"]

    @Test func theListsTranscriptColumnIsThePolicysChoice() throws {
        let rig = try SettlementTests.Rig()
        var n = 0
        for offline in Offline.allCases {
            for realtime in Self.realtimeTexts {
                for recording in Recording.allCases {
                    n += 1
                    let call = sid("CA", n)
                    try rig.store.applyRecordingCallback(RecordingCallbackFacts(
                        accountSid: sid("AC", 1), callSid: call, recordingSid: sid("RE", n),
                        status: recording == .completed ? "completed" : "absent"), now: rig.clock.now())
                    switch offline {
                    case .none: break
                    case .text: try rig.store.saveOfflineTranscript(offlineTranscript(" spoken words\n"), callSid: call, recordingSid: sid("RE", n), now: rig.clock.now())
                    case .noSpeech: try rig.store.saveOfflineTranscript(offlineTranscript(" "), callSid: call, recordingSid: sid("RE", n), now: rig.clock.now())
                    case .failed: try rig.store.setTranscriptionJob(call, state: .failed, error: "x", now: rig.clock.now())
                    case .running: try rig.store.setTranscriptionJob(call, state: .running, now: rig.clock.now())
                    }
                    if let realtime { try rig.store.saveRealtimeTranscript(realtime, callSid: call, origin: "twilio", now: rig.clock.now()) }

                    let policy = try #require(try rig.store.authoritativeTranscript(call))
                    let row = try #require(try rig.store.callRow(call))
                    let label = "offline \(offline), realtime \(String(reflecting: realtime)), recording \(recording)"
                    #expect(row.transcriptSource == policy.source, "\(label)")
                    #expect(row.transcriptChars == policy.text.count, "\(label)")
                }
            }
        }
    }

    @Test func theListsDeliveryColumnIsTheDeliveryStatus() throws {
        let rig = try SettlementTests.Rig()
        let now = rig.clock.now()
        enum Step { case enqueue(Int), fail(String), deliver }
        let cases: [[Step]] = [
            [], [.enqueue(1)], [.enqueue(1), .fail("503")], [.enqueue(1), .fail("503"), .deliver], [.enqueue(1), .deliver],
            [.enqueue(1), .deliver, .enqueue(2)], [.enqueue(1), .deliver, .enqueue(2), .fail("timeout")],
        ]
        for (n, steps) in cases.enumerated() {
            let call = sid("CA", n + 1)
            try rig.store.applyRecordingCallback(RecordingCallbackFacts(accountSid: sid("AC", 1), callSid: call, recordingSid: sid("RE", n + 1),
                                                                        status: "completed"), now: now)
            try rig.store.beginSettlement(callSid: call, recordingSid: sid("RE", n + 1), completedAt: now, firstCheckAt: now)
            var version = 0
            for step in steps {
                switch step {
                case .enqueue(let v):
                    #expect(try rig.store.enqueueDelivery(callSid: call, previousVersion: version, version: v, source: .realtime,
                                                          payload: "{}", checksDone: 2, now: now))
                    version = v
                case .fail(let why):
                    let id = try #require(try rig.store.deliveries(ofCall: call).last?.id)
                    try rig.store.markDeliveryFailed(id, error: why, nextAttemptAt: now.addingTimeInterval(5))
                case .deliver:
                    let id = try #require(try rig.store.deliveries(ofCall: call).last?.id)
                    try rig.store.markDelivered(id, now: now)
                }
            }
            #expect(try rig.store.callRow(call)?.delivery == rig.store.deliveryStatus(call)?.label, "steps \(steps)")
        }
    }

    /// The candidate query may return more than needs doing (the policy then
    /// idles), never less: every settlement the policy would act on now is in it.
    @Test func everySettlementThePolicyWouldActOnIsDue() throws {
        let window = WaitWindow(attempts: 2, interval: 5)
        let rig = try SettlementTests.Rig(window: window)
        let t0 = rig.clock.now()
        var n = 0
        for checkDue in [false, true] {
            for delivered in [nil, TranscriptSource.realtime, .offline] {
                for offline in Offline.allCases {
                    for realtime in Self.realtimeTexts {
                        n += 1
                        let call = sid("CA", n)
                        try rig.store.applyRecordingCallback(RecordingCallbackFacts(accountSid: sid("AC", 1), callSid: call,
                                                                                    recordingSid: sid("RE", n), status: "completed"), now: t0)
                        try rig.store.beginSettlement(callSid: call, recordingSid: sid("RE", n), completedAt: t0,
                                                      firstCheckAt: t0.addingTimeInterval(checkDue ? 0 : 3600))
                        if let delivered {
                            try rig.store.enqueueDelivery(callSid: call, previousVersion: 0, version: 1, source: delivered, payload: "{}",
                                                          checksDone: 2, now: t0)
                            if checkDue { try rig.store.scheduleSettlementCheck(callSid: call, checksDone: 2, nextCheckAt: t0) }
                        }
                        switch offline {
                        case .none: break
                        case .text: try rig.store.saveOfflineTranscript(offlineTranscript("words"), callSid: call, recordingSid: sid("RE", n), now: t0)
                        case .noSpeech: try rig.store.saveOfflineTranscript(offlineTranscript(""), callSid: call, recordingSid: sid("RE", n), now: t0)
                        case .failed: try rig.store.setTranscriptionJob(call, state: .failed, error: "x", now: t0)
                        case .running: try rig.store.setTranscriptionJob(call, state: .running, now: t0)
                        }
                        if let realtime { try rig.store.saveRealtimeTranscript(realtime, callSid: call, origin: "twilio", now: t0) }
                    }
                }
            }
        }
        // Before the window has passed: only an offline transcript or a due check can make the policy act.
        let now = t0.addingTimeInterval(1)
        let due = Set(try rig.store.dueSettlements(now: now).map(\.callSid))
        for i in 1...n {
            let call = sid("CA", i)
            let s = try #require(try rig.store.settlement(call))
            let step = SettlementPolicy.decide(s, offline: try rig.store.offlineState(call),
                                               realtime: try rig.store.realtimeTranscript(call)?.text, window: window, now: now)
            if case .deliver = step { #expect(due.contains(call), "\(s) → \(step)") }
            if let next = s.nextCheckAt, next <= now { #expect(due.contains(call), "a due check of \(call) is not returned") }
        }
    }
}
