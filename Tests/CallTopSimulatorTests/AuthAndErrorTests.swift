import Foundation
import Testing

@testable import CallTopSimulator

@Suite struct AuthAndErrorTests {
    @Test func acceptsAuthTokenAndAPIKeyAndRejectsTheRest() async throws {
        try await withSimulator { sim in
            let url = sim.accountBase + "/Calls.json?PageSize=1"
            #expect(try await curl(url, auth: sim.tokenAuth).status == 200)
            #expect(try await curl(url, auth: sim.keyAuth).status == 200)

            for auth in [(sim.config.accountSid, "wrong"), (sim.config.apiKeySid, sim.config.authToken), nil] {
                let r = try await curl(url, auth: auth)
                #expect(r.status == 401)
                #expect(r.headers["www-authenticate"] == "Basic realm=\"Twilio API\"")
                #expect(r.headers["content-type"] == "application/json")
                let body = try r.json()
                #expect(body["code"] as? Int == 20003)
                #expect(body["status"] as? Int == 401)
                #expect(body["more_info"] as? String == "https://www.twilio.com/docs/errors/20003")
            }
            // Media needs credentials too, and its errors are XML.
            let sid = try #require(sim.recordings().first?.sid)
            let media = try await curl(sim.mediaURL(sid))
            #expect(media.status == 401)
            #expect(media.text.contains("<Code>20003</Code>") && media.text.hasPrefix("<?xml"))
            #expect(try await curl(sim.mediaURL(sid), auth: sim.keyAuth).status == 200)

            let kinds = sim.requests().map(\.credential)
            #expect(kinds.contains(.accountAuthToken) && kinds.contains(.apiKey) && kinds.contains(.invalid) && kinds.contains(.none))
            #expect(sim.requests().filter { !$0.authorized }.allSatisfy { $0.status == 401 })
        }
    }

    @Test func notFoundIsJSONForJSONPathsAndXMLForMedia() async throws {
        try await withSimulator { sim in
            let missingCall = "CA" + String(repeating: "0", count: 32)
            let json = try await sim.get(sim.accountBase + "/Calls/\(missingCall).json")
            #expect(json.status == 404)
            #expect(json.headers["content-type"] == "application/json")
            let body = try json.json()
            #expect(body["code"] as? Int == 20404 && body["status"] as? Int == 404)
            #expect((body["message"] as? String)?.contains(missingCall) == true)
            #expect(body["more_info"] as? String == "https://www.twilio.com/docs/errors/20404")

            let missingRecording = "RE" + String(repeating: "0", count: 32)
            for suffix in [".mp3", ".wav", ""] {
                let xml = try await sim.get(sim.mediaURL(missingRecording, suffix))
                #expect(xml.status == 404)
                #expect(xml.headers["content-type"] == "application/xml")
                #expect(xml.text.hasPrefix("<?xml version='1.0' encoding='UTF-8'?>"))
                #expect(xml.text.contains("<TwilioResponse><RestException><Code>20404</Code><Message>"))
                #expect(xml.text.contains("<MoreInfo>https://www.twilio.com/docs/errors/20404</MoreInfo><Status>404</Status></RestException></TwilioResponse>"))
            }

            // A path with another account's SID (built by hand) is a 404, not the data.
            let other = "AC" + String(repeating: "1", count: 32)
            let wrongAccount = try await sim.get("/2010-04-01/Accounts/\(other)/Calls.json")
            #expect(try wrongAccount.status == 404 && (wrongAccount.json()["code"] as? Int) == 20404)
            #expect(try await sim.get("/2010-04-01/Accounts/\(sim.config.accountSid)/Nope.json").status == 404)
            #expect(try await sim.get(sim.accountBase + "/Calls.json", ["-X", "DELETE"]).status == 405)
        }
    }

    @Test func wrongCredentialsScenarioRefusesEverything() async throws {
        try await withSimulator(try config("wrong_credentials")) { sim in
            let sid = try #require(sim.recordings().first?.sid)
            let list = try await curl(sim.accountBase + "/Calls.json", auth: sim.tokenAuth)
            let media = try await curl(sim.mediaURL(sid), auth: sim.keyAuth)
            #expect(try list.status == 401 && (list.json()["code"] as? Int) == 20003)
            #expect(media.status == 401 && media.text.contains("<Code>20003</Code>"))
            #expect(sim.requests().allSatisfy { $0.scenario == "wrong_credentials" && $0.authorized })
        }
    }
}
