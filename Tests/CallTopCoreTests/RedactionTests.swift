import Foundation
import Testing
@testable import CallTopCore

@Suite struct RedactionTests {
    let account = "AC" + String(repeating: "c", count: 32)

    @Test func secretsAndTheBasicHeaderNeverReachTheLog() throws {
        let credentials = try Credentials(accountSid: account, apiKey: "SK" + String(repeating: "d", count: 32), apiSecret: "api-secret-value-123456")
        let dir = temporaryDirectory()
        let sink = LogSink(logFile: dir.appendingPathComponent("logs/calltop.log"), redactor: Redactor(secrets: credentials.secretsForRedaction), keepInMemory: true)
        let logger = sink.makeLogger()
        let basic = Data(credentials.basicUserPassword.utf8).base64EncodedString()
        logger.error("request failed with api-secret-value-123456 in it")
        logger.error("Authorization: Basic \(basic)")
        logger.info("header was \(basic)")
        let file = try String(contentsOf: dir.appendingPathComponent("logs/calltop.log"), encoding: .utf8)
        for text in sink.lines() + [file] {
            #expect(!text.contains("api-secret-value-123456"))
            #expect(!text.contains(basic))
        }
        #expect(sink.lines().count == 3)
        #expect(sink.lines()[0] == "request failed with [redacted] in it")
    }

    @Test func errorsAboutAuthenticationCarryNoSecret() throws {
        let error = TwilioError.http(status: 401, code: 20003, message: "Authenticate", host: "api.dublin.ie1.twilio.com")
        #expect(error.description == "HTTP 401 (20003) from api.dublin.ie1.twilio.com: Authenticate — check TWILIO_REGION/TWILIO_EDGE (credentials are per region) and the credential type")
    }

    @Test func anAuthorizationLabelInAnyCaseCutsTheRestOfTheLine() {
        let redactor = Redactor(secrets: [])
        #expect(redactor.clean("sent AUTHORIZATION: Basic QUM6dG9rZW4=") == "sent AUTHORIZATION: [redacted]")
        #expect(redactor.clean("proxy-authorization:Bearer x y") == "proxy-authorization: [redacted]")
        // A near miss and a label cut short are ordinary text; a multibyte character before the label counts right.
        #expect(redactor.clean("authorisation: fine, authorization") == "authorisation: fine, authorization")
        #expect(redactor.clean("é Authorization: x") == "é Authorization: [redacted]")
        #expect(redactor.clean("nothing to see") == "nothing to see")
    }

    @Test func shortStringsAreNotTreatedAsSecrets() {
        #expect(Redactor(secrets: ["abc"]).clean("abc def") == "abc def")
    }
}
