import Foundation

/// Seeded random and mutated inputs for decoders of outside data. The seed
/// is printed with every failure, so a crash found once is found again.
struct Mutator {
    private var state: UInt64

    init(seed: UInt64) { state = seed == 0 ? 0x9e37_79b9_7f4a_7c15 : seed }

    /// SplitMix64: small, fast and the same on every platform.
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(1, n))) }

    /// Tokens that break parsers: huge and negative numbers, odd bytes, structure characters.
    static let nasty: [String] = [
        "99999999999999", "-99999999999999", "1e999", "-1e999", "NaN", "1e-30", "0", "-1", "9223372036854775808",
        "\u{0}", "\u{1b}[2J", "\u{9b}", "\r\n", "\n", "%", "%zz", "%00", "&", "=", "+", "\"", "\\", "{", "}", "[", "]", ",", ":",
        "null", "true", "\u{FFFD}", "é", "🙂", String(repeating: "A", count: 300), "+0000", "-9999", "GMT", "Feb", "31",
    ]

    /// A mutation of `seed`: bytes flipped, cut, repeated, or nasty tokens spliced in.
    mutating func mutate(_ seed: String) -> String {
        var bytes = Array(seed.utf8)
        for _ in 0...below(4) {
            switch below(6) {
            case 0 where !bytes.isEmpty: bytes[below(bytes.count)] = UInt8(truncatingIfNeeded: next())
            case 1 where !bytes.isEmpty: bytes.removeSubrange(below(bytes.count)..<bytes.count)
            case 2 where !bytes.isEmpty:
                let at = below(bytes.count)
                bytes.removeSubrange(at..<min(bytes.count, at + 1 + below(8)))
            case 3: bytes.insert(contentsOf: Array(Self.nasty[below(Self.nasty.count)].utf8), at: below(bytes.count + 1))
            case 4 where !bytes.isEmpty:
                let at = below(bytes.count)
                let piece = bytes[at..<min(bytes.count, at + 1 + below(16))]
                bytes.insert(contentsOf: piece, at: below(bytes.count + 1))
            default: bytes.append(UInt8(truncatingIfNeeded: next()))
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    mutating func randomText(maxLength: Int = 64) -> String {
        String(decoding: (0..<below(maxLength)).map { _ in UInt8(truncatingIfNeeded: next()) }, as: UTF8.self)
    }

    /// Runs `body` on mutated and random inputs for `seconds`; returns inputs per second.
    static func run(seeds: [String], seconds: Double, seed: UInt64 = 20_261_201, _ body: (String) -> Void) -> (count: Int, perSecond: Double) {
        var m = Mutator(seed: seed)
        let started = Date()
        var count = 0
        while Date().timeIntervalSince(started) < seconds {
            for _ in 0..<64 {
                let input = m.below(10) == 0 ? m.randomText() : m.mutate(seeds[m.below(seeds.count)])
                body(input)
                count += 1
            }
        }
        return (count, Double(count) / Date().timeIntervalSince(started))
    }
}
