import Foundation
import Testing

@testable import CallTopSimulator

let pageKeys: Set<String> = ["end", "first_page_uri", "next_page_uri", "page", "page_size", "previous_page_uri", "start", "uri"]
let callKeys: Set<String> = [
    "sid", "date_created", "date_updated", "parent_call_sid", "account_sid", "to", "to_formatted", "from", "from_formatted",
    "phone_number_sid", "status", "start_time", "end_time", "duration", "price", "price_unit", "direction", "answered_by",
    "api_version", "forwarded_from", "group_sid", "caller_name", "queue_time", "trunk_sid", "uri", "subresource_uris",
]
let accountRecordingKeys: Set<String> = [
    "account_sid", "api_version", "call_sid", "conference_sid", "date_created", "date_updated", "start_time", "duration",
    "sid", "price", "price_unit", "status", "channels", "source", "error_code", "uri", "encryption_details",
    "subresource_uris", "media_url",
]
let callRecordingKeys: Set<String> = [
    "account_sid", "api_version", "call_sid", "conference_sid", "date_created", "date_updated", "start_time", "duration",
    "sid", "price", "uri", "encryption_details", "price_unit", "status", "channels", "source", "error_code", "track",
]

nonisolated(unsafe) let rfc2822 = #/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} \+0000$/#

func isNull(_ v: Any?) -> Bool { v is NSNull }

/// Follows next_page_uri to the end; returns every item and the pages seen.
func collect(_ sim: TwilioSimulator, _ firstPath: String, key: String) async throws -> (items: [[String: Any]], pages: [[String: Any]]) {
    var items: [[String: Any]] = []
    var pages: [[String: Any]] = []
    var next: String? = firstPath
    while let path = next {
        let r = try await sim.get(path)
        #expect(r.status == 200, "\(path): \(r.text.prefix(200))")
        let page = try r.json()
        pages.append(page)
        items += try #require(page[key] as? [[String: Any]])
        next = page["next_page_uri"] as? String
        #expect(pages.count < 1000)
    }
    return (items, pages)
}

@Suite struct PayloadTests {
    @Test func callsPageHasTwilioShapeAndPagesToTheEnd() async throws {
        try await withSimulator { sim in
            let base = "/2010-04-01/Accounts/\(sim.config.accountSid)/Calls.json"
            let (calls, pages) = try await collect(sim, base + "?PageSize=15", key: "calls")
            #expect(calls.count == 40)
            #expect(pages.count == 3)
            for (n, page) in pages.enumerated() {
                #expect(Set(page.keys) == pageKeys.union(["calls"]))
                #expect(page["page"] as? Int == n)
                #expect(page["page_size"] as? Int == 15)
                #expect(page["start"] as? Int == n * 15)
                let count = (page["calls"] as? [Any])?.count ?? 0
                #expect(page["end"] as? Int == n * 15 + count - 1)
                #expect(page["first_page_uri"] as? String == base + "?PageSize=15&Page=0")
                if n == 0 { #expect(isNull(page["previous_page_uri"])) } else {
                    let prev = try #require(page["previous_page_uri"] as? String)
                    #expect(prev.hasPrefix(base + "?PageSize=15&Page=\(n - 1)&PageToken=PA"))
                }
                if n < 2 {
                    let next = try #require(page["next_page_uri"] as? String)
                    #expect(next.hasPrefix(base + "?PageSize=15&Page=\(n + 1)&PageToken="), "relative, with a token")
                } else {
                    #expect(isNull(page["next_page_uri"]))
                }
            }
            // The previous page link leads back to the same items.
            let second = try #require(pages[1]["previous_page_uri"] as? String)
            let back = try await sim.get(second).json()
            let backSids = (back["calls"] as? [[String: Any]])?.compactMap { $0["sid"] as? String }
            #expect(backSids == calls.prefix(15).compactMap { $0["sid"] as? String })

            let expected = sim.calls(limit: 100)
            #expect(calls.compactMap { $0["sid"] as? String } == expected.map(\.sid))
            var previousStart = Date.distantFuture
            for (call, model) in zip(calls, expected) {
                #expect(Set(call.keys) == callKeys)
                let sid = try #require(call["sid"] as? String)
                #expect(sid.count == 34 && sid.hasPrefix("CA"))
                for key in ["date_created", "date_updated", "start_time", "end_time"] {
                    let text = try #require(call[key] as? String)
                    #expect(text.wholeMatch(of: rfc2822) != nil, "\(key)=\(text)")
                }
                #expect(call["duration"] as? String == String(model.durationSeconds))
                #expect(call["uri"] as? String == "/2010-04-01/Accounts/\(sim.config.accountSid)/Calls/\(sid).json")
                let subresources = try #require(call["subresource_uris"] as? [String: String])
                #expect(subresources["recordings"] == "/2010-04-01/Accounts/\(sim.config.accountSid)/Calls/\(sid)/Recordings.json")
                #expect(["inbound", "outbound-api", "outbound-dial", "trunking-terminating", "trunking-originating"].contains(model.direction))
                #expect(model.from.wholeMatch(of: #/\+[1-9]\d{7,14}/#) != nil && model.to.wholeMatch(of: #/\+[1-9]\d{7,14}/#) != nil)
                if model.status == "completed" {
                    #expect((call["price"] as? String)?.hasPrefix("-0.") == true)
                    #expect((5...120).contains(model.durationSeconds))
                    #expect(!model.recordingSids.isEmpty)
                } else {
                    #expect(isNull(call["price"]))
                    #expect(model.recordingSids.isEmpty)
                }
                #expect(isNull(call["answered_by"]) && isNull(call["group_sid"]))
                #expect(model.startTime <= previousStart, "newest first")
                previousStart = model.startTime
                #expect(model.startTime > testNow.addingTimeInterval(-3 * 86_400 - 1) && model.endTime < testNow)
            }
            let statuses = Set(expected.map(\.status))
            #expect(statuses.contains("completed") && statuses.count >= 3)
        }
    }

    @Test func recordingsListsMatchTheSchemas() async throws {
        try await withSimulator { sim in
            let account = "/2010-04-01/Accounts/\(sim.config.accountSid)"
            let (recordings, _) = try await collect(sim, account + "/Recordings.json?PageSize=7", key: "recordings")
            let models = sim.recordings()
            #expect(recordings.count == models.count)
            #expect(recordings.compactMap { $0["sid"] as? String } == models.map(\.sid))
            #expect(models.contains { $0.channels == 2 })
            #expect(sim.calls(limit: 40).contains { $0.recordingSids.count == 2 })
            for (rec, model) in zip(recordings, models) {
                #expect(Set(rec.keys) == accountRecordingKeys)
                #expect(rec["price"] is String)
                #expect(rec["channels"] as? Int == model.channels)
                #expect(rec["duration"] as? String == String(model.durationSeconds))
                #expect(rec["status"] as? String == "completed")
                #expect(isNull(rec["error_code"]) && isNull(rec["encryption_details"]) && isNull(rec["conference_sid"]))
                #expect(rec["uri"] as? String == "\(account)/Recordings/\(model.sid).json")
                #expect(rec["media_url"] as? String == "\(sim.baseURL)\(account)/Recordings/\(model.sid)")
                #expect(["RecordVerb", "DialVerb", "StartCallRecordingAPI", "OutboundAPI", "Trunking"].contains(model.source))
            }

            // Per call: price is a JSON number, there is a track, no media_url.
            let call = try #require(sim.calls(limit: 40).first { $0.recordingSids.count == 2 })
            let page = try await sim.get("\(account)/Calls/\(call.sid)/Recordings.json").json()
            let items = try #require(page["recordings"] as? [[String: Any]])
            #expect(items.compactMap { $0["sid"] as? String } == call.recordingSids.reversed())
            for item in items {
                #expect(Set(item.keys) == callRecordingKeys)
                #expect(item["price"] is NSNumber && !(item["price"] is String))
                #expect(item["track"] as? String == "both")
                #expect((item["uri"] as? String)?.hasPrefix("\(account)/Calls/\(call.sid)/Recordings/RE") == true)
            }
            let one = try await sim.get("\(account)/Calls/\(call.sid)/Recordings/\(call.recordingSids[0]).json").json()
            #expect(Set(one.keys) == callRecordingKeys)
            let fetched = try await sim.get("\(account)/Recordings/\(call.recordingSids[0]).json").json()
            #expect(Set(fetched.keys) == accountRecordingKeys)
            let byCall = try await sim.get("\(account)/Recordings.json?CallSid=\(call.sid)").json()
            #expect((byCall["recordings"] as? [Any])?.count == 2)
            let fetchedCall = try await sim.get("\(account)/Calls/\(call.sid).json").json()
            #expect(fetchedCall["sid"] as? String == call.sid && Set(fetchedCall.keys) == callKeys)
        }
    }

    @Test func filtersByDateStatusAndEncodedOperators() async throws {
        try await withSimulator { sim in
            let base = "/2010-04-01/Accounts/\(sim.config.accountSid)/Calls.json"
            let all = sim.calls(limit: 40)
            let day = "2026-11-23"
            let dayStart = Date(timeIntervalSince1970: Double(TwilioDate.parseDay(day)! * 86_400))
            let after = try await collect(sim, base + "?StartTime%3E=\(day)&PageSize=5", key: "calls").items
            #expect(after.count == all.filter { $0.startTime >= dayStart }.count)
            let before = try await collect(sim, base + "?StartTime<=\(day)&PageSize=5", key: "calls").items
            #expect(before.count == all.filter { $0.startTime < dayStart }.count)
            #expect(after.count + before.count == 40 && !after.isEmpty && !before.isEmpty)
            let on = try await sim.get(base + "?StartTime=\(day)").json()
            #expect((on["calls"] as? [Any])?.count == all.filter { $0.startTime >= dayStart && $0.startTime < dayStart.addingTimeInterval(86_400) }.count)

            let completed = try await collect(sim, base + "?Status=completed&PageSize=4", key: "calls")
            #expect(completed.items.count == all.filter { $0.status == "completed" }.count)
            #expect((completed.pages[0]["next_page_uri"] as? String)?.hasPrefix(base + "?Status=completed&PageSize=4&Page=1") == true)

            let recs = "/2010-04-01/Accounts/\(sim.config.accountSid)/Recordings.json"
            let recAfter = try await collect(sim, recs + "?DateCreated%3E=\(day)", key: "recordings").items
            #expect(recAfter.count == sim.recordings().filter { $0.startTime >= dayStart }.count)

            let bad = try await sim.get(base + "?StartTime%3E=yesterday")
            #expect(try bad.status == 400 && (bad.json()["code"] as? Int) == 20001)
            #expect(try await sim.get(base + "?PageSize=1001").status == 400)
            #expect(try await sim.get(base + "?PageSize=0").status == 400)
            #expect(try await sim.get(base + "?Status=finished").status == 400)
        }
    }

    @Test func pagingByPageNumberAndDefaultPageSize() async throws {
        try await withSimulator(try config(callCount: 120)) { sim in
            let base = "/2010-04-01/Accounts/\(sim.config.accountSid)/Calls.json"
            let first = try await sim.get(base).json()
            #expect(first["page_size"] as? Int == 50 && (first["calls"] as? [Any])?.count == 50)
            let third = try await sim.get(base + "?Page=2").json()
            #expect((third["calls"] as? [[String: Any]])?.first?["sid"] as? String == sim.calls(limit: 101)[100].sid)
            #expect(isNull(third["next_page_uri"]))
            let all = try await collect(sim, base + "?PageSize=1000", key: "calls")
            #expect(all.items.count == 120 && all.pages.count == 1)
        }
    }

    @Test func sameSeedAndNowGiveTheSameData() async throws {
        let a = TwilioSimulator(config: SimulatorConfig(now: testNow))
        let b = TwilioSimulator(config: SimulatorConfig(now: testNow))
        let c = TwilioSimulator(config: SimulatorConfig(seed: 99, now: testNow))
        #expect(a.calls(limit: 40) == b.calls(limit: 40))
        #expect(a.recordings() == b.recordings())
        #expect(a.calls(limit: 40).map(\.sid) != c.calls(limit: 40).map(\.sid))
    }
}
