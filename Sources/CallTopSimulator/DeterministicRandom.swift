// Every generated value is a pure function of (seed, index, salt) so that a
// page of call 99_999 can be produced without generating the 99_999 before it.
struct DeterministicRandom: Sendable {
    let seed: UInt64

    static func mix(_ value: UInt64) -> UInt64 {
        // SplitMix64 finaliser: cheap and well distributed.
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    func value(_ index: Int, _ salt: UInt64) -> UInt64 {
        Self.mix(Self.mix(seed ^ salt) &+ UInt64(truncatingIfNeeded: index))
    }

    func unit(_ index: Int, _ salt: UInt64) -> Double {
        Double(value(index, salt) >> 11) / Double(1 << 53)
    }

    func below(_ bound: Int, _ index: Int, _ salt: UInt64) -> Int {
        Int(value(index, salt) % UInt64(bound))
    }

    func between(_ low: Int, _ high: Int, _ index: Int, _ salt: UInt64) -> Int {
        low + below(high - low + 1, index, salt)
    }
}

func hex<T: FixedWidthInteger>(_ value: T, digits: Int) -> String {
    let s = String(value, radix: 16)
    return String(repeating: "0", count: max(0, digits - s.count)) + s
}
