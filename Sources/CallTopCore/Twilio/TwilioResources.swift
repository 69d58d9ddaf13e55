import Foundation

/// A call as the 2010-04-01 API sends it. Every field may be null (the
/// OpenAPI schema says so); numbers may arrive as strings; enums stay strings
/// so an unknown value is kept rather than failing the page.
public struct TwilioCall: Sendable, Equatable {
    public var sid: String
    public var accountSid: String?
    public var parentCallSid: String?
    public var from: String?
    public var to: String?
    public var direction: String?
    public var status: String?
    public var startTime: Date?
    public var endTime: Date?
    public var dateCreated: Date?
    public var durationS: Int?
    public var price: String?
    public var priceUnit: String?
    public var uri: String?
}

/// A recording, from either the account list or a call's list (the two
/// schemas differ: per-call `price` is a number and there is no `media_url`).
public struct TwilioRecording: Sendable, Equatable {
    public var sid: String
    public var accountSid: String?
    public var callSid: String?
    public var conferenceSid: String?
    public var status: String?
    public var durationS: Int?
    public var channels: Int?
    public var source: String?
    public var errorCode: Int?
    public var startTime: Date?
    public var dateCreated: Date?
    public var uri: String?
    public var mediaUrl: String?
    public var track: String?
    public var price: String?
    public var priceUnit: String?
    /// Set when Voice Recording Encryption encrypted it (#15).
    public var encryptionDetails: EncryptionDetails? = nil
}

extension TwilioCall: Decodable {
    enum Keys: String, CodingKey {
        case sid, account_sid, parent_call_sid, from, to, direction, status, start_time, end_time
        case date_created, duration, price, price_unit, uri
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        sid = try c.requiredSID(.sid, prefix: "CA")
        accountSid = c.lenientString(.account_sid)
        parentCallSid = c.lenientString(.parent_call_sid)
        from = c.lenientString(.from)
        to = c.lenientString(.to)
        direction = c.lenientString(.direction)
        status = c.lenientString(.status)
        startTime = c.lenientDate(.start_time)
        endTime = c.lenientDate(.end_time)
        dateCreated = c.lenientDate(.date_created)
        durationS = c.lenientInt(.duration)
        price = c.lenientString(.price)
        priceUnit = c.lenientString(.price_unit)
        uri = c.lenientString(.uri)
    }
}

extension TwilioRecording: Decodable {
    enum Keys: String, CodingKey {
        case sid, account_sid, call_sid, conference_sid, status, duration, channels, source, error_code
        case start_time, date_created, uri, media_url, track, price, price_unit, encryption_details
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        sid = try c.requiredSID(.sid, prefix: "RE")
        accountSid = c.lenientString(.account_sid)
        callSid = c.lenientString(.call_sid).flatMap { SID.isValid($0, prefix: "CA") ? $0 : nil }
        conferenceSid = c.lenientString(.conference_sid)
        status = c.lenientString(.status)
        durationS = c.lenientInt(.duration)
        channels = c.lenientInt(.channels)
        source = c.lenientString(.source)
        errorCode = c.lenientInt(.error_code)
        startTime = c.lenientDate(.start_time)
        dateCreated = c.lenientDate(.date_created)
        uri = c.lenientString(.uri)
        mediaUrl = c.lenientString(.media_url)
        track = c.lenientString(.track)
        price = c.lenientString(.price)
        priceUnit = c.lenientString(.price_unit)
        encryptionDetails = try? c.decodeIfPresent(EncryptionDetails.self, forKey: .encryption_details)
    }
}

/// A list page: the items plus where the next page is (null on the last).
/// An item that cannot be read is set aside with the reason instead of
/// failing the whole page: one odd recording must not hide fifty good ones.
public struct TwilioPage<Item: Decodable & Sendable>: Decodable, Sendable {
    public var items: [Item]
    public var rejected: [RejectedItem]
    public var nextPageURI: String?
    public var page: Int?

    struct Keys: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        let listKey = ["calls", "recordings"].map(Keys.init(stringValue:)).first { c.contains($0) }
        guard let listKey else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "page has neither `calls` nor `recordings`"))
        }
        var items: [Item] = []
        var rejected: [RejectedItem] = []
        for (index, entry) in try c.decode([Lenient<Item>].self, forKey: listKey).enumerated() {
            switch entry.result {
            case .success(let item): items.append(item)
            case .failure(let error): rejected.append(RejectedItem(index: index, reason: TwilioClient.describe(error), sid: entry.sid))
            }
        }
        self.items = items
        self.rejected = rejected
        nextPageURI = c.lenientString(Keys(stringValue: "next_page_uri")).flatMap { $0.isEmpty ? nil : $0 }
        page = c.lenientInt(Keys(stringValue: "page"))
    }
}

/// A list item that could not be read: where it was and why.
public struct RejectedItem: Sendable, Equatable {
    public var index: Int
    public var reason: String
    /// The item's `sid` when it had a readable one.
    public var sid: String?
}

/// Decodes one list item, keeping the error instead of throwing it.
private struct Lenient<Item: Decodable>: Decodable {
    var result: Result<Item, any Error>
    var sid: String?

    private struct SIDOnly: Decodable { var sid: String? }

    init(from decoder: any Decoder) throws {
        result = Result { try Item(from: decoder) }
        if case .failure = result { sid = (try? SIDOnly(from: decoder))?.sid.map { String($0.prefix(64)) } }
    }
}

extension KeyedDecodingContainer {
    func lenientString(_ key: Key) -> String? {
        if let s = try? decodeIfPresent(String.self, forKey: key) { return s }
        if let i = try? decodeIfPresent(Int64.self, forKey: key) { return String(i) }
        if let d = try? decodeIfPresent(Double.self, forKey: key) { return String(d) }
        return nil
    }

    func lenientInt(_ key: Key) -> Int? {
        if let i = try? decodeIfPresent(Int.self, forKey: key) { return i }
        if let s = try? decodeIfPresent(String.self, forKey: key) {
            return Int(s.trimmingCharacters(in: .whitespaces)) ?? Double(s).flatMap(Int.init(exactlyRounded:))
        }
        if let d = try? decodeIfPresent(Double.self, forKey: key) { return Int(exactlyRounded: d) }
        return nil
    }

    func lenientDate(_ key: Key) -> Date? {
        lenientString(key).flatMap(RFC2822Date.parse)
    }

    /// A SID that the rest of the program will put in paths and file names:
    /// it must be valid, or the item is rejected.
    func requiredSID(_ key: Key, prefix: String) throws -> String {
        guard let s = lenientString(key), SID.isValid(s, prefix: prefix) else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath + [key], debugDescription: "missing or invalid \(prefix) SID"))
        }
        return s
    }
}

extension Int {
    /// A JSON number as a whole number, or nil when it is not finite or does
    /// not fit (`Int(_: Double)` would trap on both).
    init?(exactlyRounded value: Double) {
        let rounded = value.rounded(.towardZero)
        guard rounded.isFinite, rounded > -9.2e18, rounded < 9.2e18 else { return nil }
        self = Int(rounded)
    }
}
