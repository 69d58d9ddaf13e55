import Foundation
import Testing
@testable import CallTopCore

/// Input that once crashed calltop: now each is a value or an error.
@Suite struct BadInputTests {
    @Test func anAbsurdYearIsNoDate() {
        #expect(RFC2822Date.parse("Tue, 24 Nov 99999999999999 10:00:00 +0000") == nil)
        #expect(RFC2822Date.parse("Tue, 24 Nov -99999999999999 10:00:00 +0000") == nil)
        #expect(RFC2822Date.parse("Tue, 24 Nov 2026 10:00:00 +9999") == nil)
        #expect(RFC2822Date.parse("Tue, 24 Nov 2026 10:00:00 +0000") != nil)
        #expect(RFC2822Date.format(Date(timeIntervalSince1970: 1e300)).hasSuffix("9999 23:59:59 +0000"))
        #expect(RFC2822Date.format(Date(timeIntervalSince1970: .nan)) == "Thu, 01 Jan 1970 00:00:00 +0000")
    }

    @Test func aPageWithAnAbsurdDateOrNumberDecodes() throws {
        let json = """
            {"calls": [{"sid": "CA0123456789abcdef0123456789abcdef", "start_time": "Tue, 24 Nov 99999999999999 10:00:00 +0000",
                        "duration": "1e999"},
                       {"sid": "CA0123456789abcdef0123456789abcdee", "duration": 1e300}], "next_page_uri": null}
            """
        let page = try JSONDecoder().decode(TwilioPage<TwilioCall>.self, from: Data(json.utf8))
        #expect(page.items.count == 2 && page.items.allSatisfy { $0.startTime == nil && $0.durationS == nil })
    }

    @Test func oneBadItemDoesNotCostThePage() throws {
        let json = """
            {"recordings": [{"sid": "RE0123456789abcdef0123456789abcdef"}, {"sid": "nope"}, 42, {"sid": "RE0123456789abcdef0123456789abcdee"}],
             "next_page_uri": null}
            """
        let page = try JSONDecoder().decode(TwilioPage<TwilioRecording>.self, from: Data(json.utf8))
        #expect(page.items.map(\.sid) == ["RE0123456789abcdef0123456789abcdef", "RE0123456789abcdef0123456789abcdee"])
        #expect(page.rejected.map(\.index) == [1, 2])
        #expect(page.rejected[0].sid == "nope" && page.rejected[0].reason.contains("SID"))
    }

    @Test func wholeNumbersFromJSONNeverTrap() {
        #expect(Int(exactlyRounded: 1e300) == nil)
        #expect(Int(exactlyRounded: .nan) == nil)
        #expect(Int(exactlyRounded: -.infinity) == nil)
        #expect(Int(exactlyRounded: 42.9) == 42)
    }
}
