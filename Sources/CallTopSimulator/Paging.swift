/// Query parameters in arrival order, decoded. Hummingbird leaves keys encoded,
/// and Twilio's keys carry operators (`StartTime%3E` is `StartTime>`).
struct QueryParameters: Sendable {
    var pairs: [(key: String, value: String)]

    init(_ raw: String?) {
        pairs = (raw ?? "").split(separator: "&", omittingEmptySubsequences: true).map { part in
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (Self.decode(kv[0]), kv.count > 1 ? Self.decode(kv[1]) : "")
        }
    }

    subscript(_ key: String) -> String? { pairs.last { $0.key == key }?.value }

    /// `+` stays a plus: E.164 numbers arrive unencoded from hand-written clients.
    static func decode(_ s: Substring) -> String {
        var bytes: [UInt8] = []
        var it = Array(s.utf8)[...]
        while let b = it.popFirst() {
            if b == UInt8(ascii: "%"), it.count >= 2,
                let v = UInt8(String(decoding: it.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(v)
                it = it.dropFirst(2)
            } else {
                bytes.append(b)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func encode(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                out += "%" + hex(b, digits: 2).uppercased()
            }
        }
        return out
    }
}

/// A list whose items live at integer positions in `range`, some empty or
/// filtered out; items are produced on demand so a page costs only the
/// positions it walks over.
struct LazyList<Item> {
    var range: Range<Int>
    /// Every position holds an item: page N starts at N × size without a walk.
    var dense: Bool
    var item: (Int) -> Item?

    struct Page {
        var items: [Item]
        var firstPosition: Int?
        var nextPosition: Int?
    }

    func page(from start: Int, size: Int) -> Page {
        var items: [Item] = []
        var first: Int?
        var pos = max(start, range.lowerBound)
        while pos < range.upperBound, items.count < size {
            if let it = item(pos) {
                if first == nil { first = pos }
                items.append(it)
            }
            pos += 1
        }
        // Look ahead so the last page says so (next_page_uri null) instead of
        // leading to an empty page.
        var next: Int?
        while pos < range.upperBound {
            if item(pos) != nil { next = pos; break }
            pos += 1
        }
        return Page(items: items, firstPosition: first, nextPosition: next)
    }

    /// Where page `number` starts when a client pages by number alone.
    func position(ofPage number: Int, size: Int) -> Int {
        if dense { return range.lowerBound + number * size }
        var toSkip = number * size
        var pos = range.lowerBound
        while pos < range.upperBound, toSkip > 0 {
            if item(pos) != nil { toSkip -= 1 }
            pos += 1
        }
        return pos
    }

    /// Start of the page before the one starting at `position`.
    func previousPageStart(before position: Int, size: Int) -> Int? {
        var found = 0
        var pos = min(position, range.upperBound) - 1
        var start: Int?
        while pos >= range.lowerBound, found < size {
            if item(pos) != nil { found += 1; start = pos }
            pos -= 1
        }
        return start
    }
}

/// Paging requests: page size, number and token, validated as Twilio does.
struct PageRequest {
    var size: Int
    var number: Int
    var tokenPosition: Int?

    static let tokenPrefix = "PA"

    static func token(_ position: Int) -> String { tokenPrefix + String(position) }

    static func parse(_ q: QueryParameters) -> Result<PageRequest, TwilioErrorPayload> {
        var request = PageRequest(size: 50, number: 0, tokenPosition: nil)
        if let s = q["PageSize"] {
            guard let n = Int(s), (1...1000).contains(n) else { return .failure(.invalidParameter("PageSize", s)) }
            request.size = n
        }
        if let s = q["Page"] {
            guard let n = Int(s), n >= 0 else { return .failure(.invalidParameter("Page", s)) }
            request.number = n
        }
        if let s = q["PageToken"] {
            guard s.hasPrefix(tokenPrefix), let n = Int(s.dropFirst(tokenPrefix.count)), n >= 0 else {
                return .failure(.invalidParameter("PageToken", s))
            }
            request.tokenPosition = n
        }
        return .success(request)
    }
}
