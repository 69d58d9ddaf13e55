import Foundation
import Testing
@testable import CallTopCore

@Suite struct URLRulesTests {
    @Test func onlyRealLoopbackAddressesAreLoopback() {
        for host in ["127.0.0.1", "127.1.2.3", "127.255.255.255", "localhost", "LOCALHOST", "::1", "[::1]", "0:0:0:0:0:0:0:1"] {
            #expect(URLRules.isLoopback(host), "\(host)")
        }
        for host in ["127.attacker.example", "127.0.0.1.nip.io", "127.0.0.1.", "localhost.attacker.example", "128.0.0.1",
                     "127.1", "0x7f.0.0.1", "127.0.0.256", "::2", "::ffff:8.8.8.8", "", "example.com"] {
            #expect(!URLRules.isLoopback(host), "\(host)")
        }
    }

    @Test func plainHTTPToANameThatLooksLikeLoopbackIsRefused() throws {
        #expect(throws: ConfigError.self) { _ = try TwilioHost(apiBaseURL: "http://127.attacker.example") }
        #expect(throws: ConfigError.self) { _ = try TwilioHost(apiBaseURL: "http://127.0.0.1.nip.io:8080") }
        #expect(try TwilioHost(apiBaseURL: "http://127.0.0.1:8080").baseURL == "http://127.0.0.1:8080")
        #expect(try TwilioHost(apiBaseURL: "http://[::1]:8080").baseURL == "http://[::1]:8080")
        #expect(try TwilioHost(apiBaseURL: "https://127.attacker.example").baseURL == "https://127.attacker.example")
    }

    @Test func userInfoIsRefusedAndNeverEchoed() {
        for url in ["https://AC123:hunter2-secret@api.twilio.com", "http://user@127.0.0.1:9000", "https://:hunter2-secret@proxy.example"] {
            do {
                _ = try TwilioHost(apiBaseURL: url)
                Issue.record("\(url) was accepted")
            } catch {
                #expect("\(error)".contains("user:password@"), "\(error)")
                #expect(!"\(error)".contains("hunter2-secret"), "\(error)")
            }
        }
        let recording = "https://AC1:hunter2-secret@api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE0123456789abcdef0123456789abcdef.mp3"
        #expect(throws: RecordingReference.ParseError.self) { _ = try RecordingReference.parse(recording) }
        do { _ = try RecordingReference.parse(recording) } catch {
            #expect(!error.description.contains("hunter2-secret"))
            #expect(error.description.contains("***@api.twilio.com"))
        }
        #expect(URLRules.withoutUserInfo("https://a:b@h.example/p?q=1") == "https://***@h.example/p?q=1")
        #expect(!URLRules.hasUserInfo("https://h.example/p?email=a@b.example"))
    }
}

@Suite struct SecretRegistrationTests {
    @Test func everySecretVariableIsRedactedFromTheLogEvenWhenAnAPIKeyAuthenticates() throws {
        let env = [
            "TWILIO_ACCOUNT_SID": "AC" + String(repeating: "a", count: 32),
            "TWILIO_API_KEY": "SK" + String(repeating: "b", count: 32), "TWILIO_API_SECRET": "api-secret-0123456789",
            "TWILIO_AUTH_TOKEN": "auth-token-used-by-serve-0123",
            "CALLTOP_NOTIFY_SECRET": "notify-secret-0123456789", "CALLTOP_INGEST_TOKEN": "ingest-token-0123456789",
            "CALLTOP_NOTIFY_URL": "https://hooks.example/in?token=url-token-0123456789",
        ]
        let credentials = try Credentials.fromEnvironment(env)
        let workspace = try Workspace(dataDir: temporaryDirectory(), host: TwilioHost(), credentials: credentials,
                                      keepLogInMemory: true, secrets: Redactor.environmentSecrets(env))
        for secret in ["api-secret-0123456789", "auth-token-used-by-serve-0123", "notify-secret-0123456789",
                       "ingest-token-0123456789", "url-token-0123456789"] {
            workspace.logger.error("oops: \(secret)")
        }
        let file = try String(contentsOf: workspace.dataDir.appendingPathComponent("logs/calltop.log"), encoding: .utf8)
        #expect(workspace.logSink.lines().count == 5)
        #expect(workspace.logSink.lines().allSatisfy { $0 == "oops: [redacted]" }, "\(workspace.logSink.lines())")
        #expect(!file.contains("0123456789"))
    }
}
