import Foundation
import Testing
@testable import CallTopCore
@testable import CallTopTUI
@testable import CallTopWebhooks

/// Every decoder of outside input, on random and mutated inputs: no input may
/// crash, and each either decodes or fails with a one-line error. A few
/// seconds each in `make test`; the counts per second go to the log.
@Suite(.serialized) struct DecoderFuzzTests {
    static let seconds = 1.5

    func report(_ name: String, _ result: (count: Int, perSecond: Double), multiLine: Multiline) {
        print("FUZZ \(name) \(result.count) inputs, \(Int(result.perSecond)) per second")
        #expect(result.count > 100)
        #expect(multiLine.examples.isEmpty, "errors of more than one line: \(multiLine.examples.prefix(3))")
    }

    /// Errors whose text spans lines (checked in bulk: an #expect per input would dominate the run).
    final class Multiline: @unchecked Sendable {
        var examples: [String] = []
        func check(_ error: any Error) {
            let text = "\(error)"
            if text.contains("\n"), examples.count < 10 { examples.append(text) }
        }
    }

    @Test func rfc2822Dates() {
        let seeds = ["Tue, 24 Nov 2026 10:00:00 +0000", "24 Nov 2026 10:00 GMT", "Mon, 01 Jan 0001 00:00:00 -1200",
                     "Tue, 24 Nov 99999999999999 10:00:00 +0000"]
        report("rfc2822", Mutator.run(seeds: seeds, seconds: Self.seconds) { input in
            if let date = RFC2822Date.parse(input) { _ = RFC2822Date.format(date) }
        }, multiLine: Multiline())
    }

    static let recordingPage = """
        {"recordings": [{"sid": "RE0123456789abcdef0123456789abcdef", "call_sid": "CA0123456789abcdef0123456789abcdef",
        "status": "completed", "duration": "42", "channels": 2, "price": -0.0025, "date_created": "Tue, 24 Nov 2026 10:00:00 +0000",
        "start_time": "Tue, 24 Nov 2026 10:00:00 +0000", "uri": "/2010-04-01/Accounts/AC1/Recordings/RE0123456789abcdef0123456789abcdef.json",
        "error_code": null, "encryption_details": null}], "next_page_uri": "/2010-04-01/Accounts/AC1/Recordings.json?Page=1", "page": 0}
        """
    static let callPage = """
        {"calls": [{"sid": "CA0123456789abcdef0123456789abcdef", "from": "+14155550100", "to": "+14155550199", "status": "completed",
        "direction": "inbound", "duration": "61", "start_time": "Tue, 24 Nov 2026 10:00:00 +0000", "price": "-0.0085"}],
        "next_page_uri": null, "page": 3}
        """

    @Test func twilioListPages() {
        let decoder = JSONDecoder()
        let multi = Multiline()
        report("twilio-pages", Mutator.run(seeds: [Self.recordingPage, Self.callPage], seconds: Self.seconds) { input in
            let data = Data(input.utf8)
            do { _ = try decoder.decode(TwilioPage<TwilioRecording>.self, from: data) } catch { multi.check(TwilioError.decoding(TwilioClient.describe(error))) }
            do { _ = try decoder.decode(TwilioPage<TwilioCall>.self, from: data) } catch { multi.check(TwilioError.decoding(TwilioClient.describe(error))) }
        }, multiLine: multi)
    }

    @Test func callbackForms() {
        let seeds = [
            "AccountSid=AC1&CallSid=CA0123456789abcdef0123456789abcdef&RecordingSid=RE0123456789abcdef0123456789abcdef&RecordingStatus=completed&RecordingDuration=12&RecordingChannels=2&RecordingUrl=https%3A%2F%2Fapi.twilio.com%2F2010-04-01%2FAccounts%2FAC1%2FRecordings%2FRE1",
            "TranscriptionEvent=transcription-content&CallSid=CA0123456789abcdef0123456789abcdef&TranscriptionSid=GT0123456789abcdef0123456789abcdef&Track=inbound_track&Final=true&SequenceId=3&TranscriptionData=%7B%22transcript%22%3A%22hello%22%2C%22confidence%22%3A0.9%7D",
        ]
        let multi = Multiline()
        report("callback-forms", Mutator.run(seeds: seeds, seconds: Self.seconds) { input in
            guard let form = FormParameters(body: Array(input.utf8)) else { return }
            do { _ = try RecordingStatusCallback(form) } catch { multi.check(error) }
            do { _ = try TranscriptionCallback(form) } catch { multi.check(error) }
        }, multiLine: multi)
    }

    @Test func agentTranscriptBodies() {
        report("agent-json", Mutator.run(seeds: ["{\"transcript\": \"hello there\"}", "{\"transcript\": \"\\u00e9\\n\"}"], seconds: Self.seconds) { input in
            _ = try? JSONDecoder().decode(WebhookReceiver.AgentTranscript.self, from: Data(input.utf8))
        }, multiLine: Multiline())
    }

    @Test func themeFiles() {
        let seeds = ["[roles]\nheader = \"white on blue, bold\"\nfailed = \"red\"\n", "# comment\r\nselected = \"black on cyan\"\r\n"]
        let multi = Multiline()
        report("themes", Mutator.run(seeds: seeds, seconds: Self.seconds) { input in
            do { _ = try Theme.parse(input, name: "fuzz", origin: "fuzz.toml") } catch { multi.check(error) }
        }, multiLine: multi)
    }
}
