import Foundation
import Testing
@testable import CallTopCore

@Suite struct RetryScheduleTests {
    @Test func fullJitterStaysUnderTheExponentialCeiling() {
        let s = RetrySchedule()
        #expect((1...9).map { s.ceiling(afterFailures: $0) } == [1, 2, 4, 8, 16, 32, 60, 60, 60])
        #expect(s.delay(afterFailures: 3, unit: 0) == 0)
        #expect(s.delay(afterFailures: 3, unit: 0.5) == 2)
        #expect(s.delay(afterFailures: 20, unit: 0.999) < 60)
    }

    @Test func eightAttemptsInAll() {
        let s = RetrySchedule()
        #expect(s.allowsAnotherAttempt(afterFailures: 7))
        #expect(!s.allowsAnotherAttempt(afterFailures: 8))
    }
}

@Suite struct DownloadPolicyTests {
    let policy = DownloadPolicy(hostName: "api.dublin.ie1.twilio.com")
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func successClearsTheRetryMemory() {
        var memory = RetryMemory(transientFailures: 3, notReadyTries: 2, notReadySince: now)
        #expect(policy.decide(.saved(bytes: 10), memory: &memory, now: now, jitter: 0.5) == .downloaded)
        #expect(memory.transientFailures == 0 && memory.notReadySince == nil)
    }

    @Test(arguments: [
        AttemptResult.http(status: 429, code: 20429, message: nil),
        .http(status: 503, code: 20503, message: nil),
        .http(status: 500, code: 20500, message: nil),
        .transport(.truncated(received: 10, expected: 20)),
        .transport(.network("Couldn't connect")),
        .transport(.timedOut("slow")),
    ])
    func transientFailuresBackOffThenGiveUp(result: AttemptResult) {
        var memory = RetryMemory()
        for n in 1...7 {
            let d = policy.decide(result, memory: &memory, now: now, jitter: 0.5)
            guard case let .retry(state, at, _) = d else { Issue.record("attempt \(n): \(d)"); return }
            #expect(state == .retrying)
            #expect(at.timeIntervalSince(now) == RetrySchedule().ceiling(afterFailures: n) * 0.5)
        }
        let last = policy.decide(result, memory: &memory, now: now, jitter: 0.5)
        guard case .failed(let reason) = last else { Issue.record("\(last)"); return }
        #expect(reason.hasPrefix("gave up after 8 attempts"))
    }

    @Test(arguments: [401, 403])
    func authFailuresNeverRetryAndNameTheHost(status: Int) {
        var memory = RetryMemory()
        let d = policy.decide(.http(status: status, code: 20003, message: nil), memory: &memory, now: now, jitter: 0)
        guard case .failed(let reason) = d else { Issue.record("\(d)"); return }
        #expect(reason.contains("api.dublin.ie1.twilio.com"))
        #expect(reason.contains("TWILIO_REGION/TWILIO_EDGE"))
        #expect(reason.contains("credential type"))
    }

    @Test func notFoundSoonAfterTheCallIsNotReadyLaterItFails() {
        var soon = RetryMemory(completedAt: now.addingTimeInterval(-30))
        let d = policy.decide(.http(status: 404, code: 20404, message: nil), memory: &soon, now: now, jitter: 0)
        #expect(d.state == .notReady)
        var late = RetryMemory(completedAt: now.addingTimeInterval(-3600))
        let e = policy.decide(.http(status: 404, code: 20404, message: nil), memory: &late, now: now, jitter: 0)
        guard case .failed(let reason) = e else { Issue.record("\(e)"); return }
        #expect(reason.contains("TWILIO_REGION/TWILIO_EDGE"))
    }

    @Test func processingIsRetriedOnTheScheduleForFifteenMinutes() {
        var memory = RetryMemory()
        var t = now
        var delays: [TimeInterval] = []
        while true {
            let d = policy.decide(.notReady(status: "processing"), memory: &memory, now: t, jitter: 0)
            if case let .retry(state, at, _) = d {
                #expect(state == .notReady)
                delays.append(at.timeIntervalSince(t))
                t = at
            } else {
                guard case .failed(let reason) = d else { Issue.record("\(d)"); return }
                #expect(reason.contains("15 minutes"))
                break
            }
        }
        #expect(Array(delays.prefix(6)) == [2, 5, 10, 20, 30, 60])
        #expect(t.timeIntervalSince(now) >= 15 * 60 && t.timeIntervalSince(now) < 15 * 60 + 60)
    }

    @Test func absentIsFinalAndErrorBodiesFail() {
        var memory = RetryMemory()
        #expect(policy.decide(.absent(code: 16102), memory: &memory, now: now, jitter: 0).state == .absent)
        #expect(policy.decide(.notAudio("an error document"), memory: &memory, now: now, jitter: 0).state == .failed)
        #expect(policy.decide(.deleted, memory: &memory, now: now, jitter: 0).state == .failed)
        #expect(policy.decide(.redirectRefused("no"), memory: &memory, now: now, jitter: 0).state == .failed)
        #expect(policy.decide(.http(status: 400, code: 21000, message: "bad"), memory: &memory, now: now, jitter: 0).state == .failed)
    }
}

@Suite struct AudioCheckTests {
    @Test func recognisesMp3AndWav() {
        #expect(AudioCheck.kind(ofPrefix: Array("ID3\u{4}\0\0\0\0\0\0\0\0".utf8)) == .mp3)
        #expect(AudioCheck.kind(ofPrefix: [0xFF, 0xF3, 0x84, 0xC4, 0, 0, 0, 0, 0, 0, 0, 0]) == .mp3)
        #expect(AudioCheck.kind(ofPrefix: Array("RIFF\u{24}\0\0\0WAVEfmt ".utf8)) == .wav)
        #expect(AudioCheck.kind(ofPrefix: Array("<?xml version='1.0'".utf8)) == nil)
        #expect(AudioCheck.kind(ofPrefix: Array("{\"code\": 20404}".utf8)) == nil)
        #expect(AudioCheck.kind(ofPrefix: Array("RIFF\0\0\0\0AVI LIST".utf8)) == nil)
    }

    @Test func errorContentTypes() {
        #expect(AudioCheck.isErrorContentType("text/xml; charset=utf-8"))
        #expect(AudioCheck.isErrorContentType("application/json"))
        #expect(!AudioCheck.isErrorContentType("audio/mpeg"))
        #expect(!AudioCheck.isErrorContentType(nil))
    }
}
