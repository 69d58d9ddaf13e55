import Foundation

/// Ordered JSON, so payloads keep the field order of Twilio's schema and
/// numbers keep the exact text Twilio sends (e.g. a price of -0.0025).
indirect enum JSONValue: Sendable, Equatable {
    case null
    case string(String)
    case int(Int)
    case number(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    static func == (lhs: JSONValue, rhs: JSONValue) -> Bool { lhs.serialized() == rhs.serialized() }

    static func optional(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }

    /// Twilio's serializer separates with ", " and ": ".
    func serialized() -> String {
        var out = ""
        write(into: &out)
        return out
    }

    private func write(into out: inout String) {
        switch self {
        case .null: out += "null"
        case .int(let i): out += String(i)
        case .number(let n): out += n
        case .string(let s): Self.quote(s, into: &out)
        case .array(let items):
            out += "["
            for (n, item) in items.enumerated() {
                if n > 0 { out += ", " }
                item.write(into: &out)
            }
            out += "]"
        case .object(let fields):
            out += "{"
            for (n, (key, value)) in fields.enumerated() {
                if n > 0 { out += ", " }
                Self.quote(key, into: &out)
                out += ": "
                value.write(into: &out)
            }
            out += "}"
        }
    }

    private static func quote(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20: out += "\\u" + hex(UInt16(c.value), digits: 4)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}

/// The simulator's own date arithmetic, on purpose: CallTopCore's `RFC2822Date` parses what this writes, and
/// the fake Twilio depends on none of the client's code, so one bug on both sides cannot pass the tests.
enum TwilioDate {
    private static let days = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// RFC 2822 as Twilio writes it: `Tue, 24 Nov 2026 10:00:00 +0000`.
    static func rfc2822(_ epoch: Int) -> String {
        let day = epoch.floorDiv(86_400)
        let secs = epoch - day * 86_400
        let (y, m, d) = civil(fromDays: day)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(days[((day % 7) + 7) % 7]), \(two(d)) \(months[m - 1]) \(y) \(two(secs / 3600)):\(two(secs / 60 % 60)):\(two(secs % 60)) +0000"
    }

    static func rfc2822(_ date: Date) -> String { rfc2822(Int(date.timeIntervalSince1970)) }

    /// Filter values: `YYYY-MM-DD` (what Twilio documents), or an ISO 8601 time
    /// whose date part is used. Returns the UTC day number.
    static func parseDay(_ text: String) -> Int? {
        let parts = text.prefix(10).split(separator: "-")
        guard text.count == 10 || (text.count > 10 && "T ".contains(text[text.index(text.startIndex, offsetBy: 10)])),
            parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
            (1...12).contains(m), (1...31).contains(d)
        else { return nil }
        let day = days(fromCivil: y, m, d)
        return civil(fromDays: day) == (y, m, d) ? day : nil
    }

    // Howard Hinnant's civil calendar algorithms.
    static func days(fromCivil y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = y.floorDiv(400)
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = z.floorDiv(146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

extension Int {
    func floorDiv(_ d: Int) -> Int { self >= 0 ? self / d : -((-self + d - 1) / d) }
}

/// Error bodies, in the two formats Twilio uses.
struct TwilioErrorPayload: Error, Sendable, Equatable {
    let status: Int
    let code: Int
    let message: String

    var moreInfo: String { "https://www.twilio.com/docs/errors/\(code)" }

    var json: String {
        JSONValue.object([
            ("code", .int(code)), ("message", .string(message)), ("more_info", .string(moreInfo)), ("status", .int(status)),
        ]).serialized()
    }

    var xml: String {
        "<?xml version='1.0' encoding='UTF-8'?>\n<TwilioResponse><RestException><Code>\(code)</Code><Message>\(Self.escape(message))</Message><MoreInfo>\(moreInfo)</MoreInfo><Status>\(status)</Status></RestException></TwilioResponse>"
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "'", with: "&apos;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func notFound(_ path: String) -> TwilioErrorPayload {
        TwilioErrorPayload(status: 404, code: 20404, message: "The requested resource \(path) was not found")
    }

    static let authenticate = TwilioErrorPayload(status: 401, code: 20003, message: "Authenticate")
    static let tooManyRequests = TwilioErrorPayload(status: 429, code: 20429, message: "Too Many Requests")
    static let serviceUnavailable = TwilioErrorPayload(status: 503, code: 20503, message: "Service Unavailable")
    static let methodNotAllowed = TwilioErrorPayload(status: 405, code: 20004, message: "Method not allowed")

    static func invalidParameter(_ name: String, _ value: String) -> TwilioErrorPayload {
        TwilioErrorPayload(status: 400, code: 20001, message: "Invalid value for \(name): \(value)")
    }
}

/// The JSON bodies of calls, recordings and list pages, field for field as in
/// Twilio's OpenAPI description (every property present, nulls included).
enum TwilioPayloads {
    static let apiVersion = "2010-04-01"

    static func accountPath(_ accountSid: String) -> String { "/2010-04-01/Accounts/\(accountSid)" }

    static func call(_ c: SimulatedCall, accountSid: String) -> JSONValue {
        let base = "\(accountPath(accountSid))/Calls/\(c.sid)"
        let sub: [String] = [
            "feedback:Feedback", "user_defined_messages:UserDefinedMessages", "notifications:Notifications",
            "recordings:Recordings", "streams:Streams", "payments:Payments",
            "user_defined_message_subscriptions:UserDefinedMessageSubscriptions", "siprec:Siprec", "events:Events",
        ]
        var subresources: [(String, JSONValue)] = sub.map { entry in
            let parts = entry.split(separator: ":")
            return (String(parts[0]), .string("\(base)/\(parts[1]).json"))
        }
        subresources.append(("feedback_summaries", .string("\(accountPath(accountSid))/Calls/FeedbackSummary.json")))
        return .object([
            ("sid", .string(c.sid)),
            ("date_created", .string(TwilioDate.rfc2822(c.dateCreated))),
            ("date_updated", .string(TwilioDate.rfc2822(c.dateUpdated))),
            ("parent_call_sid", .optional(c.parentCallSid)),
            ("account_sid", .string(accountSid)),
            ("to", .string(c.to)),
            ("to_formatted", .string(c.toFormatted)),
            ("from", .string(c.from)),
            ("from_formatted", .string(c.fromFormatted)),
            ("phone_number_sid", .optional(c.phoneNumberSid)),
            ("status", .string(c.status)),
            ("start_time", .string(TwilioDate.rfc2822(c.startTime))),
            ("end_time", .string(TwilioDate.rfc2822(c.endTime))),
            ("duration", .string(String(c.durationSeconds))),
            ("price", .optional(c.price)),
            ("price_unit", .string("USD")),
            ("direction", .string(c.direction)),
            ("answered_by", .null),
            ("api_version", .string(apiVersion)),
            ("forwarded_from", .null),
            ("group_sid", .null),
            ("caller_name", .null),
            ("queue_time", .string("0")),
            ("trunk_sid", .optional(c.trunkSid)),
            ("uri", .string("\(base).json")),
            ("subresource_uris", .object(subresources)),
        ])
    }

    /// What a recording's metadata says right now (scenarios decide).
    struct RecordingView {
        let seed: RecordingSeed
        /// completed, processing or absent.
        let status: String
        let accountSid: String
        let baseURL: String
        /// #15: `encryption_details`, and an error code such as 16105 or 16107.
        var encryption: JSONValue? = nil
        var errorCode: Int? = nil
    }

    private static func recordingDuration(_ v: RecordingView) -> String {
        switch v.status {
        case "processing": "-1"
        case "absent": "0"
        default: String(v.seed.durationSeconds)
        }
    }

    private static func recordingUpdated(_ v: RecordingView) -> Int {
        v.status == "processing" ? v.seed.start : v.seed.start + v.seed.durationSeconds + 2
    }

    /// The fields both recording shapes begin with, in Twilio's order.
    private static func recordingFields(_ v: RecordingView, price: JSONValue) -> [(String, JSONValue)] {
        [
            ("account_sid", .string(v.accountSid)),
            ("api_version", .string(apiVersion)),
            ("call_sid", .string(v.seed.callSid)),
            ("conference_sid", .null),
            ("date_created", .string(TwilioDate.rfc2822(v.seed.start))),
            ("date_updated", .string(TwilioDate.rfc2822(recordingUpdated(v)))),
            ("start_time", .string(TwilioDate.rfc2822(v.seed.start))),
            ("duration", .string(recordingDuration(v))),
            ("sid", .string(v.seed.sid)),
            ("price", price),
        ]
    }

    /// `api.v2010.account.recording`: price is a string, has media_url and subresource_uris.
    static func accountRecording(_ v: RecordingView) -> JSONValue {
        let path = "\(accountPath(v.accountSid))/Recordings/\(v.seed.sid)"
        let price: JSONValue = v.status == "completed" ? .string(CallGenerator.recordingPrice(seconds: v.seed.durationSeconds)) : .null
        return .object(recordingFields(v, price: price) + [
            ("price_unit", .string("USD")),
            ("status", .string(v.status)),
            ("channels", .int(v.seed.channels)),
            ("source", .string(v.seed.source)),
            ("error_code", v.errorCode.map(JSONValue.int) ?? (v.status == "absent" ? .int(16102) : .null)),
            ("uri", .string("\(path).json")),
            ("encryption_details", v.encryption ?? .null),
            ("subresource_uris", .object([
                ("add_on_results", .string("\(path)/AddOnResults.json")),
                ("transcriptions", .string("\(path)/Transcriptions.json")),
            ])),
            ("media_url", .string("\(v.baseURL)\(path)")),
        ])
    }

    /// `api.v2010.account.call.call_recording`: price is a number, adds track,
    /// no media_url or subresource_uris, uri under the call.
    static func callRecording(_ v: RecordingView) -> JSONValue {
        let path = "\(accountPath(v.accountSid))/Calls/\(v.seed.callSid)/Recordings/\(v.seed.sid)"
        let price: JSONValue = v.status == "completed" ? .number(CallGenerator.recordingPrice(seconds: v.seed.durationSeconds)) : .null
        return .object(recordingFields(v, price: price) + [
            ("uri", .string("\(path).json")),
            ("encryption_details", v.encryption ?? .null),
            ("price_unit", .string("USD")),
            ("status", .string(v.status)),
            ("channels", .int(v.seed.channels)),
            ("source", .string(v.seed.source)),
            ("error_code", v.errorCode.map(JSONValue.int) ?? (v.status == "absent" ? .int(16102) : .null)),
            ("track", .string("both")),
        ])
    }

    static func page(
        key: String, items: [JSONValue], page: Int, pageSize: Int,
        uri: String, firstPageURI: String, nextPageURI: String?, previousPageURI: String?
    ) -> JSONValue {
        let start = page * pageSize
        return .object([
            (key, .array(items)),
            ("end", .int(items.isEmpty ? start : start + items.count - 1)),
            ("first_page_uri", .string(firstPageURI)),
            ("next_page_uri", .optional(nextPageURI)),
            ("page", .int(page)),
            ("page_size", .int(pageSize)),
            ("previous_page_uri", .optional(previousPageURI)),
            ("start", .int(start)),
            ("uri", .string(uri)),
        ])
    }
}
