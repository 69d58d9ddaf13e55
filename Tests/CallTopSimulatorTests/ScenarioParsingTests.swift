import Testing

@testable import CallTopSimulator

@Suite struct ScenarioParsingTests {
    @Test(arguments: [
        ("not_ready=2@3", ScenarioRule(.notReady(tries: 2), target: .recordingIndex(3))),
        ("not_ready", ScenarioRule(.notReady(tries: 1))),
        ("rate_limited=2", ScenarioRule(.rateLimited(times: 2))),
        ("flaky@0", ScenarioRule(.flaky(times: 1), target: .recordingIndex(0))),
        ("truncated", ScenarioRule(.truncated(times: 1))),
        ("xml_error@all", ScenarioRule(.xmlError)),
        ("redirect_offhost", ScenarioRule(.redirectOffhost)),
        ("absent@RE0123456789abcdef0123456789abcdef", ScenarioRule(.absent, target: .recordingSid("RE0123456789abcdef0123456789abcdef"))),
        ("slow", ScenarioRule(.slow(bytesPerSecond: 10_000))),
        ("slow=5000@1", ScenarioRule(.slow(bytesPerSecond: 5000), target: .recordingIndex(1))),
        ("wrong_credentials", ScenarioRule(.wrongCredentials)),
        ("many_calls=100000", ScenarioRule(.manyCalls(count: 100_000))),
        ("Rate-Limited=3", ScenarioRule(.rateLimited(times: 3))),
        ("encrypted", ScenarioRule(.encrypted(.mixed))),
        ("encrypted@2", ScenarioRule(.encrypted(.primary), target: .recordingIndex(2))),
        ("encrypted_fallback@1", ScenarioRule(.encrypted(.fallback), target: .recordingIndex(1))),
        ("encrypted_unstored", ScenarioRule(.encrypted(.unstored))),
        ("encrypted_corrupt@0", ScenarioRule(.encrypted(.corrupt), target: .recordingIndex(0))),
    ])
    func parsesValidSpecs(spec: String, expected: ScenarioRule) throws {
        #expect(try ScenarioRule.parse(spec) == expected)
    }

    @Test func parsesLists() throws {
        #expect(try ScenarioRule.parseList("not_ready=2@1, xml_error@5 many_calls=9") == [
            ScenarioRule(.notReady(tries: 2), target: .recordingIndex(1)),
            ScenarioRule(.xmlError, target: .recordingIndex(5)),
            ScenarioRule(.manyCalls(count: 9)),
        ])
    }

    @Test func descriptionRoundTrips() throws {
        for spec in ["not_ready=2@3", "xml_error", "slow=5000@RE0123456789abcdef0123456789abcdef", "many_calls=7",
                     "encrypted", "encrypted@4", "encrypted_fallback@1"] {
            #expect(try ScenarioRule.parse(spec).description == spec)
        }
    }

    @Test(arguments: [
        ("", "empty"),
        ("teleport", "unknown scenario \"teleport\""),
        ("not_ready=0", "positive integer"),
        ("not_ready=two", "positive integer"),
        ("xml_error=2", "takes no =N"),
        ("absent@-1", "TARGET"),
        ("absent@RE123", "TARGET must be"),
        ("absent@CA0123456789abcdef0123456789abcdef", "TARGET must be"),
        ("many_calls=10@0", "takes no @TARGET"),
    ])
    func rejectsInvalidSpecsSayingWhatIsAccepted(spec: String, problem: String) {
        do {
            _ = try ScenarioRule.parse(spec)
            Issue.record("\(spec) parsed")
        } catch {
            let message = "\(error)"
            #expect(message.contains(problem), "\(message)")
            #expect(message.contains("NAME[=N][@TARGET]"))
            #expect(message.contains("not_ready, rate_limited, flaky, truncated, xml_error, redirect_offhost, absent, slow, wrong_credentials, many_calls"))
        }
    }
}

@Suite struct BuildingBlockTests {
    @Test func sha256MatchesKnownVectors() {
        #expect(SHA256Digest.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256Digest.hex([UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let long = Array(String(repeating: "a", count: 1000).utf8)
        #expect(SHA256Digest.hex(long) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }

    @Test func datesAreRFC2822() {
        #expect(TwilioDate.rfc2822(1_795_514_400) == "Tue, 24 Nov 2026 10:00:00 +0000")
        #expect(TwilioDate.rfc2822(0) == "Thu, 01 Jan 1970 00:00:00 +0000")
        #expect(TwilioDate.rfc2822(951_782_400) == "Tue, 29 Feb 2000 00:00:00 +0000")
        #expect(TwilioDate.parseDay("2026-11-24") == 1_795_514_400 / 86_400)
        #expect(TwilioDate.parseDay("2026-02-30") == nil)
        #expect(TwilioDate.parseDay("24/11/2026") == nil)
    }

    @Test func queryKeysAreDecoded() {
        let q = QueryParameters("StartTime%3E=2026-11-01&To=+14155550100&Status=completed&StartTime<=2026-11-20")
        #expect(q["StartTime>"] == "2026-11-01")
        #expect(q["StartTime<"] == "2026-11-20")
        #expect(q["To"] == "+14155550100")
        #expect(QueryParameters.encode("StartTime>") == "StartTime%3E")
    }

    @Test func sidsResolveBackToTheirCall() {
        let g = CallGenerator(accountSid: SimulatorConfig.defaultAccountSid, seed: 7, now: testNow, count: 100_000, clipSeconds: [8, 8, 8, 8, 9, 9])
        for i in [0, 1, 77, 99_999] {
            let sid = g.callSid(i)
            #expect(sid.count == 34 && sid.dropFirst(2).allSatisfy(\.isHexDigit))
            #expect(g.callIndex(ofSid: sid) == i)
            for seed in g.recordings(ofCall: i) {
                #expect(g.recording(sid: seed.sid) == seed)
            }
        }
        #expect(g.callIndex(ofSid: "CA" + String(repeating: "0", count: 32)) == nil)
        // Start times never increase down the list.
        for i in 0..<2000 { #expect(g.startTime(i) >= g.startTime(i + 1)) }
    }
}
