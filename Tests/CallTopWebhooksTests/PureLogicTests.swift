import CallTopCore
import Foundation
import Testing
@testable import CallTopWebhooks

@Suite struct DisagreementTests {
    @Test func identicalTextsAgreeIgnoringCaseAndPunctuation() {
        let r = TranscriptDisagreement.compare(offline: "Hello, I'd like to cancel my order.", realtime: "hello i'd like to cancel my order")
        #expect(r.disagreement == 0)
        #expect(!r.suspect)
        #expect(r.offlineWords == 7)
    }

    @Test func aFewWordsOffIsNormal() {
        let r = TranscriptDisagreement.compare(offline: "my account number is four five six seven and I need help",
                                               realtime: "my account number is for five six seven and i need help")
        #expect(abs(r.disagreement - 1.0 / 12.0) < 1e-9)
        #expect(!r.suspect)
    }

    @Test func differentCallsAreSuspect() {
        let r = TranscriptDisagreement.compare(offline: "thank you for calling the pharmacy how can I help",
                                               realtime: "the weather tomorrow will be sunny with light winds")
        #expect(r.disagreement > 0.8)
        #expect(r.suspect)
    }

    @Test func truncatedRecordingIsSuspect() {
        let r = TranscriptDisagreement.compare(offline: "hello there",
                                               realtime: "hello there I am calling about my bill which is wrong again this month")
        #expect(r.suspect)
    }

    @Test func tooFewWordsToJudge() {
        #expect(!TranscriptDisagreement.compare(offline: "yes", realtime: "no").suspect)
        #expect(TranscriptDisagreement.compare(offline: "", realtime: "").disagreement == 0)
    }

    @Test func editDistance() {
        #expect(WordDistance.editDistance(["a", "b", "c"], ["a", "c"]) == 1)
        #expect(WordDistance.editDistance([], ["a", "b"]) == 2)
        #expect(WordDistance.editDistance(["a", "b"], ["b", "a"]) == 2)
    }
}

@Suite struct AssemblyAndParsingTests {
    @Test func segmentsAreOrderedBySequenceAndDeduplicated() {
        let s = [
            RealtimeSegment(transcriptionSid: "GT1", track: "outbound_track", sequenceId: 3, text: "How can I help?"),
            RealtimeSegment(transcriptionSid: "GT1", track: "inbound_track", sequenceId: 1, text: "Hi."),
            RealtimeSegment(transcriptionSid: "GT1", track: "inbound_track", sequenceId: 4, text: "My order."),
            RealtimeSegment(transcriptionSid: "GT1", track: "inbound_track", sequenceId: 1, text: "Hi."),
        ]
        #expect(RealtimeAssembly.assemble(s) == "Hi.\nHow can I help?\nMy order.")
    }

    @Test func formDecoding() throws {
        let form = try #require(FormParameters(body: Array("A=1&B=hello+world&C=%2B1%20415&D=&E".utf8)))
        #expect(form["B"] == "hello world")
        #expect(form["C"] == "+1 415")
        #expect(form["D"] == "")
        #expect(form["E"] == "")
        #expect(FormParameters(body: Array("A=%ZZ".utf8)) == nil)
        let round = FormParameters(pairs: [("Text", "a+b & c=d ü")])
        #expect(FormParameters(body: Array(round.encoded().utf8)) == round)
    }

    @Test func recordingCallbackChecksEverySid() throws {
        var pairs = [("AccountSid", sid("AC", 1)), ("CallSid", sid("CA", 2)), ("RecordingSid", sid("RE", 3)),
                     ("RecordingStatus", "completed"), ("RecordingDuration", "42"), ("RecordingStartTime", "Tue, 24 Nov 2026 10:00:00 +0000"),
                     ("ErrorCode", "0")]
        let ok = try RecordingStatusCallback(FormParameters(pairs: pairs))
        #expect(ok.facts.durationS == 42)
        #expect(ok.facts.errorCode == nil)
        #expect(ok.facts.startTime != nil)
        #expect(ok.facts.uri == "/2010-04-01/Accounts/\(sid("AC", 1))/Recordings/\(sid("RE", 3)).json")
        for (index, bad) in [(1, "CA../../etc"), (2, "RE123"), (0, sid("CA", 1)), (3, "deleted")] {
            var broken = pairs
            broken[index].1 = bad
            #expect(throws: RecordingStatusCallback.Problem.self) { try RecordingStatusCallback(FormParameters(pairs: broken)) }
        }
        pairs.removeAll { $0.0 == "CallSid" }
        #expect(throws: RecordingStatusCallback.Problem.self) { try RecordingStatusCallback(FormParameters(pairs: pairs)) }
    }

    @Test func transcriptionCallbackKeepsOnlyFinalContent() throws {
        let base = [("CallSid", sid("CA", 2)), ("TranscriptionSid", sid("GT", 9)), ("Track", "inbound_track"), ("SequenceId", "7"),
                    ("TranscriptionData", #"{"transcript":" Hello there ","confidence":0.9}"#)]
        let final = try TranscriptionCallback(FormParameters(pairs: base + [("TranscriptionEvent", "transcription-content"), ("Final", "true")]))
        #expect(final.segment == RealtimeSegment(transcriptionSid: sid("GT", 9), track: "inbound_track", sequenceId: 7, text: "Hello there"))
        let partial = try TranscriptionCallback(FormParameters(pairs: base + [("TranscriptionEvent", "transcription-content"), ("Final", "false")]))
        #expect(partial.segment == nil)
        let started = try TranscriptionCallback(FormParameters(pairs: [("CallSid", sid("CA", 2)), ("TranscriptionEvent", "transcription-started")]))
        #expect(started.segment == nil)
        #expect(throws: RecordingStatusCallback.Problem.self) {
            try TranscriptionCallback(FormParameters(pairs: [("CallSid", "CAnope"), ("TranscriptionEvent", "transcription-started")]))
        }
    }
}

@Suite struct SettlementPolicyTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let window = WaitWindow(attempts: 2, interval: 5)

    func settlement(checks: Int = 0, next: Double? = 5, version: Int = 0, source: TranscriptSource? = nil) -> WebhookSettlement {
        WebhookSettlement(callSid: sid("CA", 1), recordingSid: sid("RE", 1), completedAt: t0, checksDone: checks,
                          nextCheckAt: next.map { t0.addingTimeInterval($0) }, deliveredVersion: version, deliveredSource: source)
    }

    @Test func offlineWinsAtOnce() {
        let step = SettlementPolicy.decide(settlement(), offline: .done(text: "hi"), realtime: "hello", window: window, now: t0.addingTimeInterval(1))
        guard case let .deliver(choice, version, supersedes, _) = step else { Issue.record("\(step)"); return }
        #expect(choice.source == .offline && version == 1 && supersedes == nil)
    }

    @Test func waitsTwoChecksThenFallsBack() {
        let first = SettlementPolicy.decide(settlement(), offline: .pending, realtime: "hello", window: window, now: t0.addingTimeInterval(5))
        #expect(first == .wait(checksDone: 1, until: t0.addingTimeInterval(10)))
        let early = SettlementPolicy.decide(settlement(checks: 1, next: 10), offline: .running, realtime: "hello", window: window, now: t0.addingTimeInterval(7))
        #expect(early == .wait(checksDone: 1, until: t0.addingTimeInterval(10)))
        let second = SettlementPolicy.decide(settlement(checks: 1, next: 10), offline: .running, realtime: "hello", window: window, now: t0.addingTimeInterval(10))
        guard case let .deliver(choice, version, _, checks) = second else { Issue.record("\(second)"); return }
        #expect(choice.source == .realtime && choice.reason == "offline pending → realtime" && version == 1 && checks == 2)
    }

    @Test func offlineAfterFallbackSupersedes() {
        let step = SettlementPolicy.decide(settlement(checks: 2, next: nil, version: 1, source: .realtime), offline: .done(text: "hi"),
                                           realtime: "hello", window: window, now: t0.addingTimeInterval(30))
        guard case let .deliver(choice, version, supersedes, _) = step else { Issue.record("\(step)"); return }
        #expect(choice.source == .offline && version == 2 && supersedes == 1)
    }

    @Test func nothingAfterOfflineOrWhileFallbackStands() {
        #expect(SettlementPolicy.decide(settlement(checks: 2, next: nil, version: 1, source: .offline), offline: .done(text: "x"),
                                        realtime: nil, window: window, now: t0) == .idle(checksDone: 2))
        #expect(SettlementPolicy.decide(settlement(checks: 2, next: nil, version: 1, source: .realtime), offline: .failed(reason: "x"),
                                        realtime: "r", window: window, now: t0) == .idle(checksDone: 2))
    }
}
