import Testing
@testable import CallTopCore

@Suite struct TwilioHostTests {
    @Test func defaultHostIsApiTwilioCom() throws {
        #expect(try TwilioHost().baseURL == "https://api.twilio.com")
    }

    @Test func regionAndEdgeMakeTheRegionalHost() throws {
        #expect(try TwilioHost(region: "ie1", edge: "dublin").baseURL == "https://api.dublin.ie1.twilio.com")
        #expect(try TwilioHost(region: "AU1", edge: "Sydney").baseURL == "https://api.sydney.au1.twilio.com")
    }

    @Test(arguments: [("ie1", "dublin"), ("au1", "sydney"), ("jp1", "tokyo"), ("us1", "ashburn"), ("br1", "sao-paulo"), ("sg1", "singapore"), ("de1", "frankfurt")])
    func regionAloneGetsItsDefaultEdge(region: String, edge: String) throws {
        let host = try TwilioHost(region: region)
        #expect(host.baseURL == "https://api.\(edge).\(region).twilio.com")
        #expect(host.edge == edge)
    }

    @Test func unknownRegionWithoutEdgeIsAnErrorThatNamesTheFix() {
        #expect(throws: ConfigError.self) { try TwilioHost(region: "xx9") }
        do {
            _ = try TwilioHost(region: "xx9")
        } catch {
            #expect(error.description.contains("TWILIO_EDGE"))
        }
    }

    @Test func edgeAloneRoutesToUs1() throws {
        #expect(try TwilioHost(edge: "umatilla").baseURL == "https://api.umatilla.us1.twilio.com")
    }

    @Test func overrideAllowsHttpOnlyForLoopback() throws {
        #expect(try TwilioHost(apiBaseURL: "http://127.0.0.1:8080/").baseURL == "http://127.0.0.1:8080")
        #expect(try TwilioHost(apiBaseURL: "http://localhost:9").baseURL == "http://localhost:9")
        #expect(try TwilioHost(region: "ie1", apiBaseURL: "https://proxy.example").baseURL == "https://proxy.example")
        #expect(throws: ConfigError.self) { try TwilioHost(apiBaseURL: "http://10.0.0.5:8080") }
        #expect(throws: ConfigError.self) { try TwilioHost(apiBaseURL: "ftp://127.0.0.1") }
        #expect(throws: ConfigError.self) { try TwilioHost(apiBaseURL: "https://proxy.example/some/path") }
        #expect(throws: ConfigError.self) { try TwilioHost(region: "ie1; rm -rf", edge: "dublin") }
    }

    @Test func urisResolveAgainstTheConfiguredHostNeverApiTwilioCom() throws {
        let host = try TwilioHost(region: "ie1", edge: "dublin")
        #expect(host.resolve("/2010-04-01/Accounts/AC1/Calls.json?Page=1") == "https://api.dublin.ie1.twilio.com/2010-04-01/Accounts/AC1/Calls.json?Page=1")
        #expect(host.resolve("https://api.twilio.com/2010-04-01/Accounts/AC1/Calls.json?PageToken=PA1") == "https://api.dublin.ie1.twilio.com/2010-04-01/Accounts/AC1/Calls.json?PageToken=PA1")
    }

    @Test func ownsComparesSchemeHostAndPort() throws {
        let host = try TwilioHost(apiBaseURL: "http://127.0.0.1:8080")
        #expect(host.owns("http://127.0.0.1:8080/x.mp3"))
        #expect(!host.owns("http://127.0.0.1:8081/x.mp3"))
        #expect(!host.owns("https://127.0.0.1:8080/x.mp3"))
        let twilio = try TwilioHost()
        #expect(twilio.owns("https://api.twilio.com/2010-04-01/x"))
        #expect(twilio.owns("https://API.twilio.com:443/x"))
        #expect(!twilio.owns("https://api.twilio.com.evil.example/x"))
        #expect(!twilio.owns("https://media.twiliocdn.com/x"))
    }
}

@Suite struct CredentialsTests {
    let account = "AC" + String(repeating: "a", count: 32)
    let key = "SK" + String(repeating: "b", count: 32)

    @Test func authTokenFromEnvironment() throws {
        let c = try Credentials.fromEnvironment(["TWILIO_ACCOUNT_SID": account, "TWILIO_AUTH_TOKEN": "tok-1234567890"])
        #expect(c.kind == .authToken)
        #expect(c.username == account)
    }

    @Test func apiKeyWinsAndKeepsTheAccountForThePath() throws {
        let c = try Credentials.fromEnvironment(["TWILIO_ACCOUNT_SID": account, "TWILIO_AUTH_TOKEN": "t", "TWILIO_API_KEY": key, "TWILIO_API_SECRET": "s3cr3t-value"])
        #expect(c.kind == .apiKey)
        #expect(c.username == key)
        #expect(c.accountSid == account)
    }

    @Test func missingOrMalformedCredentialsExplainWhatToSet() {
        #expect(throws: ConfigError.missingCredentials(Credentials.howToSet)) { try Credentials.fromEnvironment([:]) }
        #expect(Credentials.howToSet.contains("calltop demo"))
        #expect(throws: ConfigError.self) { try Credentials.fromEnvironment(["TWILIO_ACCOUNT_SID": "AC123", "TWILIO_AUTH_TOKEN": "x"]) }
        #expect(throws: ConfigError.self) { try Credentials.fromEnvironment(["TWILIO_ACCOUNT_SID": account, "TWILIO_API_KEY": key]) }
    }

    @Test func descriptionNeverShowsTheSecret() throws {
        let c = try Credentials(accountSid: account, authToken: "super-secret-token-value")
        #expect(!"\(c)".contains("super-secret"))
        #expect(!String(reflecting: c).contains("super-secret"))
    }
}
