import Foundation

/// A recording as generated, before scenarios and audio are applied.
struct RecordingSeed: Sendable, Equatable {
    let sid: String
    let callSid: String
    let callIndex: Int
    /// 0 = first recording of the call, 1 = a later one.
    let ordinal: Int
    let clipIndex: Int
    let channels: Int
    let source: String
    let start: Int
    let durationSeconds: Int

    /// Position in the account list (newest first): call by call, later recording first.
    var position: Int { callIndex * 2 + (ordinal == 1 ? 0 : 1) }
}

/// Produces call `i` from (seed, i, now) alone, so lists of any size page in
/// constant memory: start times never increase with `i`, and SIDs carry their
/// index (masked) so a SID resolves back to its call without a table.
struct CallGenerator: Sendable {
    let accountSid: String
    let count: Int
    let now: Int
    let clipSeconds: [Int]
    private let rng: DeterministicRandom
    private let gap: Double
    private let mask32: UInt32

    private enum Salt {
        static let start: UInt64 = 0x51a7
        static let status: UInt64 = 0x57a7
        static let direction: UInt64 = 0xd1ec
        static let sidA: UInt64 = 0xca01
        static let sidB: UInt64 = 0xca02
        static let reA: UInt64 = 0x3e01
        static let reB: UInt64 = 0x3e02
        static let ring: UInt64 = 0x7177
        static let answer: UInt64 = 0xa115
        static let tail: UInt64 = 0x7a11
        static let twoRecordings: UInt64 = 0x2222
        static let dual: UInt64 = 0xd0a1
        static let clip: UInt64 = 0xc119
        static let source: UInt64 = 0x5ace
        static let ourNumber: UInt64 = 0x0a0b
        static let theirNumber: UInt64 = 0x7e1e
        static let country: UInt64 = 0xc0c0
        static let secondGap: UInt64 = 0x2a2a
    }

    static let minimumWindow = 3 * 24 * 3600

    init(accountSid: String, seed: UInt64, now: Date, count: Int, clipSeconds: [Int]) {
        self.accountSid = accountSid
        self.count = count
        self.now = Int(now.timeIntervalSince1970)
        self.clipSeconds = clipSeconds
        self.rng = DeterministicRandom(seed: seed)
        // Three days for a normal account; a huge one is spread wider so that
        // calls stay a plausible half-minute apart.
        let window = max(Self.minimumWindow, count * 30)
        self.gap = Double(window) / Double(max(1, count))
        self.mask32 = UInt32(truncatingIfNeeded: DeterministicRandom.mix(seed ^ 0x3a5c))
    }

    // MARK: SIDs

    func callSid(_ i: Int) -> String {
        "CA" + hex(rng.value(i, Salt.sidA), digits: 16) + hex(UInt32(truncatingIfNeeded: rng.value(i, Salt.sidB)), digits: 8)
            + hex(scramble(UInt32(truncatingIfNeeded: i)), digits: 8)
    }

    func recordingSid(_ i: Int, ordinal: Int) -> String {
        let key = i * 2 + ordinal
        return "RE" + hex(rng.value(key, Salt.reA), digits: 16) + hex(UInt32(truncatingIfNeeded: rng.value(key, Salt.reB)), digits: 8)
            + hex(scramble(UInt32(truncatingIfNeeded: key)), digits: 8)
    }

    func callIndex(ofSid sid: String) -> Int? {
        guard sid.count == 34, sid.hasPrefix("CA"), let tail = UInt32(sid.suffix(8), radix: 16) else { return nil }
        let i = Int(unscramble(tail))
        return i < count && callSid(i) == sid ? i : nil
    }

    func recording(sid: String) -> RecordingSeed? {
        guard sid.count == 34, sid.hasPrefix("RE"), let tail = UInt32(sid.suffix(8), radix: 16) else { return nil }
        let key = Int(unscramble(tail))
        guard key / 2 < count else { return nil }
        return recordings(ofCall: key / 2).first { $0.sid == sid }
    }

    // An invertible 32-bit mix: SIDs look random yet name their index.
    private static let multiplierA: UInt32 = 0x9E37_79B1
    private static let multiplierB: UInt32 = 0x85EB_CA77

    private static func inverse(_ a: UInt32) -> UInt32 {
        var x = a  // Newton's iteration doubles the correct low bits each step.
        for _ in 0..<5 { x = x &* (2 &- a &* x) }
        return x
    }

    private func scramble(_ x: UInt32) -> UInt32 {
        var v = x &* Self.multiplierA
        v ^= v >> 16
        return (v &* Self.multiplierB) ^ mask32
    }

    private func unscramble(_ y: UInt32) -> UInt32 {
        var v = (y ^ mask32) &* Self.inverse(Self.multiplierB)
        v ^= v >> 16
        return v &* Self.inverse(Self.multiplierA)
    }

    // MARK: Calls

    /// Seconds before `now` that call `i` started. Non-decreasing in `i`.
    func startOffset(_ i: Int) -> Int {
        180 + Int(Double(i) * gap + rng.unit(i, Salt.start) * 0.8 * gap)
    }

    func startTime(_ i: Int) -> Int { now - startOffset(i) }

    func status(_ i: Int) -> String {
        // The newest call always has a recording, so recording index 0 is the newest call's.
        if i == 0 { return "completed" }
        switch rng.below(100, i, Salt.status) {
        case 0..<78: return "completed"
        case 78..<86: return "no-answer"
        case 86..<92: return "busy"
        case 92..<96: return "failed"
        default: return "canceled"
        }
    }

    func direction(_ i: Int) -> String {
        switch rng.below(100, i, Salt.direction) {
        case 0..<45: "inbound"
        case 45..<75: "outbound-api"
        case 75..<88: "outbound-dial"
        case 88..<94: "trunking-terminating"
        default: "trunking-originating"
        }
    }

    func recordings(ofCall i: Int) -> [RecordingSeed] {
        guard status(i) == "completed" else { return [] }
        let howMany = (i != 0 && rng.below(100, i, Salt.twoRecordings) < 10) ? 2 : 1
        let direction = direction(i)
        var start = startTime(i) + rng.between(1, 6, i, Salt.answer)
        var result: [RecordingSeed] = []
        for ordinal in 0..<howMany {
            let key = i * 2 + ordinal
            let dual = i != 0 && rng.below(100, key, Salt.dual) < 15
            let pool = dual ? SimulatorAudio.dualClipIndexes : SimulatorAudio.monoClipIndexes
            let clipIndex = pool[rng.below(pool.count, key, Salt.clip)]
            let duration = clipSeconds.indices.contains(clipIndex) ? clipSeconds[clipIndex] : 10
            result.append(
                RecordingSeed(
                    sid: recordingSid(i, ordinal: ordinal), callSid: callSid(i), callIndex: i, ordinal: ordinal,
                    clipIndex: clipIndex, channels: dual ? 2 : 1,
                    source: source(direction: direction, ordinal: ordinal, key: key),
                    start: start, durationSeconds: duration))
            start += duration + rng.between(2, 10, key, Salt.secondGap)
        }
        return result
    }

    private func source(direction: String, ordinal: Int, key: Int) -> String {
        if ordinal == 1 { return "StartCallRecordingAPI" }
        let pick = rng.below(2, key, Salt.source)
        switch direction {
        case "inbound": return pick == 0 ? "RecordVerb" : "StartCallRecordingAPI"
        case "outbound-api": return pick == 0 ? "OutboundAPI" : "StartCallRecordingAPI"
        case "outbound-dial": return "DialVerb"
        default: return "Trunking"
        }
    }

    func call(_ i: Int) -> SimulatedCall {
        let sid = callSid(i)
        let status = status(i)
        let direction = direction(i)
        let start = startTime(i)
        let recordings = recordings(ofCall: i)
        let duration: Int
        let end: Int
        if let last = recordings.last {
            let tail = rng.between(2, 20, i, Salt.tail)
            end = min(last.start + last.durationSeconds + tail, start + 120)
            duration = max(5, end - start)
        } else {
            duration = 0
            switch status {
            case "busy": end = start + rng.between(1, 3, i, Salt.ring)
            case "failed": end = start
            default: end = start + rng.between(5, 30, i, Salt.ring)
            }
        }
        let ours = ourNumber(i)
        let theirs = theirNumber(i)
        let inbound = direction == "inbound" || direction == "trunking-originating"
        let from = inbound ? theirs : ours
        let to = inbound ? ours : theirs
        let price: String? = status == "completed" ? Self.callPrice(direction: direction, seconds: max(duration, 1)) : nil
        let parent: String? = direction == "outbound-dial" && i + 1 < count ? callSid(i + 1) : nil
        let trunk: String? = direction.hasPrefix("trunking") ? "TK" + hex(DeterministicRandom.mix(rng.seed ^ 0x7e7e), digits: 16) + hex(DeterministicRandom.mix(rng.seed ^ 0x7e7f), digits: 16) : nil
        let phoneNumberSid: String? = direction == "inbound" || direction == "outbound-api"
            ? "PN" + hex(DeterministicRandom.mix(rng.seed ^ UInt64(ours.hashValueStable)), digits: 16) + hex(DeterministicRandom.mix(UInt64(ours.hashValueStable)), digits: 16)
            : nil
        return SimulatedCall(
            index: i, sid: sid, parentCallSid: parent, from: from, to: to,
            fromFormatted: Self.formatted(from), toFormatted: Self.formatted(to),
            direction: direction, status: status,
            dateCreated: Date(timeIntervalSince1970: Double(start - 1)),
            dateUpdated: Date(timeIntervalSince1970: Double(end + 1)),
            startTime: Date(timeIntervalSince1970: Double(start)),
            endTime: Date(timeIntervalSince1970: Double(end)),
            durationSeconds: duration, price: price, phoneNumberSid: phoneNumberSid, trunkSid: trunk,
            recordingSids: recordings.map(\.sid))
    }

    // MARK: Numbers (fictional ranges: NANP 555-01XX, Ofcom 020 7946 0XXX)

    private func ourNumber(_ i: Int) -> String {
        "+1415555010" + String(rng.below(3, i, Salt.ourNumber))
    }

    private func theirNumber(_ i: Int) -> String {
        if rng.below(100, i, Salt.country) < 15 {
            return "+442079460" + pad(rng.below(1000, i, Salt.theirNumber), 3)
        }
        let areas = ["212", "206", "303", "312", "404", "512", "617", "646", "702", "718"]
        let v = rng.value(i, Salt.theirNumber)
        return "+1" + areas[Int(v % UInt64(areas.count))] + "55501" + pad(Int((v >> 8) % 100), 2)
    }

    private func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }

    /// Twilio formats NANP numbers as "(415) 555-0100" and leaves others in E.164.
    static func formatted(_ e164: String) -> String {
        guard e164.hasPrefix("+1"), e164.count == 12 else { return e164 }
        let d = Array(e164.dropFirst(2))
        return "(\(String(d[0..<3]))) \(String(d[3..<6]))-\(String(d[6..<10]))"
    }

    static func callPrice(direction: String, seconds: Int) -> String {
        let perMinute: Int  // hundred-thousandths of a dollar
        switch direction {
        case "inbound": perMinute = 850
        case "trunking-terminating", "trunking-originating": perMinute = 450
        default: perMinute = 1400
        }
        return "-" + decimal(perMinute * ((seconds + 59) / 60), places: 5)
    }

    /// Recording storage price per started minute, in ten-thousandths of a dollar.
    static func recordingPrice(seconds: Int) -> String {
        "-" + decimal(25 * ((max(seconds, 1) + 59) / 60), places: 4)
    }

    static func decimal(_ value: Int, places: Int) -> String {
        var scale = 1
        for _ in 0..<places { scale *= 10 }
        let frac = String(value % scale)
        return "\(value / scale)." + String(repeating: "0", count: places - frac.count) + frac
    }
}

extension String {
    /// `hashValue` is randomised per process; data must be identical across runs.
    var hashValueStable: UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return hash
    }
}
