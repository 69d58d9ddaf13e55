import Testing
@testable import CallTopCore

@Suite struct RecordingReferenceTests {
    static let re = "RE" + "0123456789abcdef0123456789ABCDEF"
    static let ca = "CA" + "fedcba9876543210fedcba9876543210"
    static let ac = "AC" + String(repeating: "1", count: 32)

    @Test(arguments: [
        re,
        "/2010-04-01/Accounts/\(ac)/Recordings/\(re).json",
        "/2010-04-01/Accounts/\(ac)/Recordings/\(re)",
        "https://api.twilio.com/2010-04-01/Accounts/\(ac)/Recordings/\(re).mp3",
        "https://api.dublin.ie1.twilio.com/2010-04-01/Accounts/\(ac)/Recordings/\(re).wav?RequestedChannels=2",
        "https://api.twilio.com/2010-04-01/Accounts/\(ac)/Calls/\(ca)/Recordings/\(re).json",
        "  \(re)\n",
    ])
    func everyTwilioFormYieldsTheRecordingSID(_ text: String) throws {
        #expect(try RecordingReference.parse(text) == .recording(Self.re))
    }

    @Test func callSIDMeansTheCallsRecordings() throws {
        #expect(try RecordingReference.parse(Self.ca) == .call(Self.ca))
    }

    @Test(arguments: [
        "", "RE123", "RE" + String(repeating: "g", count: 32), "re0123456789abcdef0123456789abcdef",
        "/2010-04-01/Accounts/x/Recordings/../../etc/passwd", "https://api.twilio.com/2010-04-01/Accounts/\(ac)/Calls/\(ca).json",
        "/Recordings/RE0123456789abcdef0123456789abcdef0.mp3", "SK" + String(repeating: "a", count: 32),
    ])
    func anythingElseIsRejected(_ text: String) {
        #expect(throws: RecordingReference.ParseError.self) { try RecordingReference.parse(text) }
    }

    @Test func sidValidationIsExact() {
        #expect(SID.isValid(Self.re, prefix: "RE"))
        #expect(SID.isValid(Self.ca, prefix: "CA"))
        #expect(!SID.isValid(Self.ca, prefix: "RE"))
        #expect(!SID.isValid(Self.re + "0", prefix: "RE"))
        #expect(!SID.isValid("RE0123456789abcdef0123456789abcde/", prefix: "RE"))
    }
}
