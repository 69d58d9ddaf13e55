import CallTopCore
import Foundation

/// Twilio call and recording resources built as Twilio's JSON and decoded
/// with CallTopCore's own decoders (the types have no public memberwise init).
enum SyntheticTwilio {
    static let accountSid = "AC" + String(repeating: "0", count: 24) + "be0c0ffe"

    static func sid(_ prefix: String, _ n: Int) -> String {
        prefix + String(repeating: "0", count: 32 - String(n, radix: 16).count) + String(n, radix: 16)
    }

    static func rfc2822(_ date: Date) -> String { RFC2822Date.format(date) }

    /// `count` completed calls, one every `spacing` seconds back from `now`,
    /// each with one recording; numbers, directions and durations vary.
    static func callsAndRecordings(count: Int, now: Date, spacing: TimeInterval = 7) throws -> ([TwilioCall], [TwilioRecording]) {
        var calls: [[String: Any]] = []
        var recordings: [[String: Any]] = []
        calls.reserveCapacity(count)
        recordings.reserveCapacity(count)
        let directions = ["inbound", "outbound-api", "outbound-dial"]
        for i in 0..<count {
            let start = now.addingTimeInterval(-Double(i) * spacing - 60)
            let duration = 20 + (i * 37) % 900
            let callSid = sid("CA", i + 1)
            let recordingSid = sid("RE", i + 1)
            calls.append([
                "sid": callSid, "account_sid": accountSid, "parent_call_sid": NSNull(),
                "from": "+1415555\(String(1000 + i % 9000))", "to": "+4420718\(String(10000 + (i * 7) % 90000))",
                "direction": directions[i % directions.count], "status": "completed",
                "start_time": rfc2822(start), "end_time": rfc2822(start.addingTimeInterval(Double(duration))),
                "date_created": rfc2822(start), "duration": String(duration), "price": "-0.01300", "price_unit": "USD",
                "uri": "/2010-04-01/Accounts/\(accountSid)/Calls/\(callSid).json",
            ])
            recordings.append([
                "sid": recordingSid, "account_sid": accountSid, "call_sid": callSid, "conference_sid": NSNull(),
                "status": "completed", "duration": String(duration - 2), "channels": i % 5 == 0 ? 2 : 1,
                "source": "OutboundAPI", "error_code": NSNull(),
                "start_time": rfc2822(start.addingTimeInterval(1)), "date_created": rfc2822(start.addingTimeInterval(1)),
                "uri": "/2010-04-01/Accounts/\(accountSid)/Recordings/\(recordingSid).json",
                "media_url": NSNull(), "track": "both", "price": NSNull(), "price_unit": "USD",
            ])
        }
        let decoder = JSONDecoder()
        let decodedCalls = try decoder.decode([TwilioCall].self, from: JSONSerialization.data(withJSONObject: calls))
        let decodedRecordings = try decoder.decode([TwilioRecording].self, from: JSONSerialization.data(withJSONObject: recordings))
        return (decodedCalls, decodedRecordings)
    }
}
