import Foundation
import Testing
@testable import CallTopCore

@Suite struct TwilioCLIProfileTests {
    static let account = "AC" + String(repeating: "a", count: 32)
    static let legacyAccount = "AC" + String(repeating: "b", count: 32)
    static let key = "SK" + String(repeating: "c", count: 32)
    static let envAccount = "AC" + String(repeating: "d", count: 32)

    static let file = Data("""
        {
          "profiles": {
            "prod": {"accountSid": "\(account)", "region": "ie1", "edge": "dublin", "apiKey": "\(key)", "apiSecret": "s3cret"},
            "keychain": {"accountSid": "\(account)", "apiKey": "\(key)"}
          },
          "projects": [{"id": "old", "accountSid": "\(legacyAccount)", "region": "au1"},
                       {"id": "keychain", "accountSid": "\(legacyAccount)", "region": "jp1"}],
          "activeProject": "prod"
        }
        """.utf8)

    @Test func readsAModernProfile() throws {
        let p = try TwilioCLIProfile.parse(Self.file, profile: "prod", origin: "config.json")
        #expect(p == TwilioCLIProfile(id: "prod", accountSid: Self.account, region: "ie1", edge: "dublin", apiKey: Self.key, apiSecret: "s3cret"))
    }

    @Test func fallsBackToTheLegacyProjectsArray() throws {
        let old = try TwilioCLIProfile.parse(Self.file, profile: "old", origin: "config.json")
        #expect(old.accountSid == Self.legacyAccount && old.region == "au1" && old.apiKey == nil && !old.hasSecret)
        // profiles.NAME wins; projects fills only what it leaves out (here: the region).
        let mixed = try TwilioCLIProfile.parse(Self.file, profile: "keychain", origin: "config.json")
        #expect(mixed.accountSid == Self.account && mixed.region == "jp1" && !mixed.hasSecret)
    }

    @Test func unknownProfileNamesTheOnesThatExist() {
        #expect {
            try TwilioCLIProfile.parse(Self.file, profile: "nope", origin: "config.json")
        } throws: { "\($0)".contains("no Twilio CLI profile 'nope'") && "\($0)".contains("keychain, old, prod") }
        #expect { try TwilioCLIProfile.parse(Data("{not json".utf8), profile: "x", origin: "c.json") } throws: { "\($0)".contains("not valid JSON") }
    }

    func resolve(flag: String? = nil, env: [String: String], region: String? = nil) throws -> TwilioSettings {
        let inputs = TwilioSettings.Inputs(regionFlag: region, profileFlag: flag, environment: env)
        let profile = try TwilioSettings.profileName(inputs).map { try TwilioCLIProfile.parse(Self.file, profile: $0, origin: "config.json") }
        return try TwilioSettings.resolve(inputs, profile: profile, profileOrigin: "config.json")
    }

    func source(_ s: TwilioSettings, _ name: String) -> String { s.sources.first { $0.name == name }?.source ?? "" }

    static let envCredentials = ["TWILIO_ACCOUNT_SID": envAccount, "TWILIO_AUTH_TOKEN": "tok", "TWILIO_REGION": "us1"]

    @Test func anExplicitProfileWinsOverTheEnvironment() throws {
        let s = try resolve(flag: "prod", env: Self.envCredentials)
        #expect(s.credentials?.accountSid == Self.account && s.credentials?.kind == .apiKey)
        #expect(s.region == "ie1" && s.edge == "dublin")
        #expect(source(s, "account").contains("profile 'prod'") && source(s, "region").contains("profile 'prod'"))
    }

    @Test func withoutTheFlagTheEnvironmentWins() throws {
        let s = try resolve(env: Self.envCredentials.merging(["TWILIO_PROFILE": "prod"]) { $1 })
        #expect(s.credentials?.accountSid == Self.envAccount && s.credentials?.kind == .authToken)
        #expect(s.region == "us1" && source(s, "region") == "environment TWILIO_REGION")
        // The profile still fills in what the environment leaves out.
        #expect(s.edge == "dublin" && source(s, "edge").contains("profile 'prod'"))
        // TWILIO_PROFILE alone, no TWILIO_* credentials: the profile's.
        let p = try resolve(env: ["TWILIO_PROFILE": "prod"])
        #expect(p.credentials?.accountSid == Self.account)
    }

    @Test func flagsForRegionAlwaysWin() throws {
        let s = try resolve(flag: "prod", env: [:], region: "au1")
        #expect(s.region == "au1" && source(s, "region") == "--region")
    }

    @Test func aProfileWithoutSecretSaysSoAndNamesTheVariables() throws {
        #expect { try resolve(flag: "keychain", env: [:]) } throws: { error in
            let m = "\(error)"
            return m.contains("holds no secret") && m.contains("keychain") && m.contains("TWILIO_API_SECRET") && m.contains("TWILIO_AUTH_TOKEN")
        }
        // The secret from the environment completes the profile's key.
        let s = try resolve(flag: "keychain", env: ["TWILIO_API_SECRET": "from-env"])
        #expect(s.credentials?.username == Self.key && s.credentials?.accountSid == Self.account)
        #expect(source(s, "credentials").contains("TWILIO_API_SECRET"))
        #expect(!s.sources.map(\.source).joined().contains("from-env"))
    }

    @Test func noProfileNoEnvironmentMeansNotSet() throws {
        let s = try resolve(env: [:])
        #expect(s.credentials == nil && source(s, "account") == "not set" && source(s, "region") == "default (us1)")
    }

    @Test func theSecretNeverShowsInDescriptions() throws {
        let s = try resolve(flag: "prod", env: [:])
        let text = "\(s.sources) \(String(describing: s.credentials))"
        #expect(!text.contains("s3cret"))
    }
}
