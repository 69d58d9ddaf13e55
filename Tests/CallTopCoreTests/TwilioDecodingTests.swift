import Foundation
import Testing
@testable import CallTopCore

@Suite struct TwilioDecodingTests {
    // Shaped like Twilio's real answers: nulls, numbers as strings, a direction
    // the enum does not list, a relative next_page_uri.
    static let callPage = """
    {"calls": [
      {"sid": "CA11111111111111111111111111111111", "account_sid": "AC22222222222222222222222222222222",
       "parent_call_sid": null, "from": "+14155550100", "to": "+353870000000", "direction": "outbound-api",
       "status": "completed", "start_time": "Tue, 24 Nov 2026 10:00:00 +0000", "end_time": "Tue, 24 Nov 2026 10:00:45 +0000",
       "date_created": "Tue, 24 Nov 2026 09:59:58 +0000", "duration": "45", "price": "-0.0130", "price_unit": "USD",
       "uri": "/2010-04-01/Accounts/AC22222222222222222222222222222222/Calls/CA11111111111111111111111111111111.json",
       "subresource_uris": {"recordings": "/2010-04-01/Accounts/AC22222222222222222222222222222222/Calls/CA11111111111111111111111111111111/Recordings.json"}},
      {"sid": "CA33333333333333333333333333333333", "account_sid": null, "from": null, "to": null,
       "direction": "some-future-direction", "status": "ringing", "start_time": null, "end_time": null,
       "duration": null, "price": null, "unknown_field": [1, 2, 3]}
     ],
     "first_page_uri": "/2010-04-01/Accounts/AC22222222222222222222222222222222/Calls.json?PageSize=2&Page=0",
     "next_page_uri": "/2010-04-01/Accounts/AC22222222222222222222222222222222/Calls.json?PageSize=2&Page=1&PageToken=PACA33",
     "previous_page_uri": null, "page": 0, "page_size": 2, "start": 0, "end": 1,
     "uri": "/2010-04-01/Accounts/AC22222222222222222222222222222222/Calls.json?PageSize=2&Page=0"}
    """

    @Test func callPageDecodesAsTwilioSendsIt() throws {
        let page = try JSONDecoder().decode(TwilioPage<TwilioCall>.self, from: Data(Self.callPage.utf8))
        #expect(page.items.count == 2)
        #expect(page.nextPageURI?.hasSuffix("PageToken=PACA33") == true)
        let c = page.items[0]
        #expect(c.durationS == 45)
        #expect(c.price == "-0.0130")
        #expect(c.startTime == Date(timeIntervalSince1970: 1_795_514_400))
        #expect(c.endTime?.timeIntervalSince(c.startTime!) == 45)
        let odd = page.items[1]
        #expect(odd.direction == "some-future-direction")
        #expect(odd.durationS == nil && odd.from == nil && odd.startTime == nil)
    }

    @Test func lastPageHasNullNext() throws {
        let json = #"{"recordings": [], "next_page_uri": null, "page": 3, "page_size": 50}"#
        let page = try JSONDecoder().decode(TwilioPage<TwilioRecording>.self, from: Data(json.utf8))
        #expect(page.items.isEmpty && page.nextPageURI == nil)
    }

    @Test func recordingsFromBothSchemasDecode() throws {
        // Account list: price is a string, media_url present. Per-call: price is a number, track present.
        let account = #"{"sid": "RE44444444444444444444444444444444", "call_sid": "CA11111111111111111111111111111111", "status": "completed", "duration": "45", "channels": 2, "source": "RecordVerb", "error_code": null, "price": "-0.0025", "uri": "/2010-04-01/Accounts/AC2/Recordings/RE44444444444444444444444444444444.json", "media_url": "https://api.twilio.com/x", "encryption_details": {"type": "rsa"}, "start_time": "Tue, 24 Nov 2026 10:00:01 +0000"}"#
        let perCall = #"{"sid": "RE55555555555555555555555555555555", "call_sid": "CA11111111111111111111111111111111", "status": "absent", "duration": "0", "channels": 1, "error_code": 16102, "price": -0.0025, "track": "both", "source": "SomethingNew"}"#
        let a = try JSONDecoder().decode(TwilioRecording.self, from: Data(account.utf8))
        let b = try JSONDecoder().decode(TwilioRecording.self, from: Data(perCall.utf8))
        #expect(a.channels == 2 && a.durationS == 45 && a.price == "-0.0025")
        #expect(b.price == "-0.0025" && b.errorCode == 16102 && b.track == "both" && b.source == "SomethingNew")
    }

    @Test func invalidSIDsAreRejectedBeforeTheyCanBecomePaths() {
        let bad = #"{"sid": "RE../../../etc/passwd", "status": "completed"}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(TwilioRecording.self, from: Data(bad.utf8)) }
        let badCall = #"{"sid": "RE44444444444444444444444444444444", "call_sid": "CA/../x", "status": "completed"}"#
        #expect((try? JSONDecoder().decode(TwilioRecording.self, from: Data(badCall.utf8)))?.callSid == nil)
    }

    @Test func rfc2822Dates() {
        #expect(RFC2822Date.parse("Tue, 24 Nov 2026 10:00:00 +0000") == Date(timeIntervalSince1970: 1_795_514_400))
        #expect(RFC2822Date.parse("Tue, 24 Nov 2026 11:00:00 +0100") == Date(timeIntervalSince1970: 1_795_514_400))
        #expect(RFC2822Date.parse("24 Nov 2026 10:00:00 GMT") == Date(timeIntervalSince1970: 1_795_514_400))
        #expect(RFC2822Date.parse("Tue, 29 Feb 2028 23:59:59 -0530") == Date(timeIntervalSince1970: 1_835_501_399))
        #expect(RFC2822Date.parse("2026-11-24T10:00:00Z") == nil)
        #expect(RFC2822Date.parse("Tue, 24 Foo 2026 10:00:00 +0000") == nil)
        let now = Date(timeIntervalSince1970: 1_795_514_400)
        #expect(RFC2822Date.parse(RFC2822Date.format(now)) == now)
        #expect(RFC2822Date.format(now) == "Tue, 24 Nov 2026 10:00:00 +0000")
        #expect(RFC2822Date.format(Date(timeIntervalSince1970: 1_835_501_399)) == "Wed, 01 Mar 2028 05:29:59 +0000")
        #expect(RFC2822Date.format(Date(timeIntervalSince1970: -1)) == "Wed, 31 Dec 1969 23:59:59 +0000")
    }

    @Test func errorBodiesInJSONAndXML() {
        let json = #"{"code": 20404, "message": "The requested resource was not found", "more_info": "https://www.twilio.com/docs/errors/20404", "status": 404}"#
        #expect(TwilioErrorBody.parse(Data(json.utf8)) == TwilioErrorBody(code: 20404, message: "The requested resource was not found"))
        let xml = "<?xml version='1.0' encoding='UTF-8'?><TwilioResponse><RestException><Code>20003</Code><Message>Authenticate</Message></RestException></TwilioResponse>"
        #expect(TwilioErrorBody.parse(Data(xml.utf8)) == TwilioErrorBody(code: 20003, message: "Authenticate"))
        #expect(TwilioErrorBody.parse(Data([0xFF, 0xFB, 0x90, 0x00])) == nil)
    }
}
