/// GHASH, the authenticator half of AES-GCM (NIST SP 800-38D §6.4), so a
/// recording can be verified while it streams: swift-crypto's AES.GCM only
/// opens a whole message at once. Shoup's 4-bit tables, the classic portable
/// method (as in OpenSSL's gcm_gmult_4bit). Not constant-time in H's table
/// lookups; acceptable here: the tag is checked once per file, on our own machine.
struct GHash {
    /// H·i for every 4-bit i, in GCM's reflected bit order, as (high, low) 64-bit halves.
    private var tableHi = [UInt64](repeating: 0, count: 16)
    private var tableLo = [UInt64](repeating: 0, count: 16)
    private var yHi: UInt64 = 0
    private var yLo: UInt64 = 0

    private static let reduce4: [UInt64] = [
        0x0000, 0x1C20, 0x3840, 0x2460, 0x7080, 0x6CA0, 0x48C0, 0x54E0,
        0xE100, 0xFD20, 0xD940, 0xC560, 0x9180, 0x8DA0, 0xA9C0, 0xB5E0,
    ].map { UInt64($0) << 48 }

    /// `h`: the hash key E(K, 0¹²⁸), 16 bytes.
    init(h: [UInt8]) {
        precondition(h.count == 16)
        var vHi = Self.load(h, 0), vLo = Self.load(h, 8)
        tableHi[8] = vHi; tableLo[8] = vLo
        for i in [4, 2, 1] {  // V·x: a right shift in GCM's order, reduced by R = 11100001 || 0¹²⁰
            let carry = vLo & 1
            vLo = (vLo >> 1) | (vHi << 63)
            vHi = (vHi >> 1) ^ (carry == 0 ? 0 : 0xE100_0000_0000_0000)
            tableHi[i] = vHi; tableLo[i] = vLo
        }
        for i in [3, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15] {
            let a = 1 << (Int.bitWidth - 1 - i.leadingZeroBitCount), b = i ^ a  // highest bit, and the rest
            tableHi[i] = tableHi[a] ^ tableHi[b]; tableLo[i] = tableLo[a] ^ tableLo[b]
        }
    }

    private static func load(_ b: [UInt8], _ at: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<8 { v = v << 8 | UInt64(b[at + i]) }
        return v
    }

    /// Absorbs whole 16-byte blocks (the caller pads the last one with zeros).
    mutating func update(blocks: UnsafeRawBufferPointer) {
        precondition(blocks.count % 16 == 0)
        guard !blocks.isEmpty else { return }
        let y = (hi: yHi, lo: yLo)
        let (hi, lo) = tableHi.withUnsafeBufferPointer { th in
            tableLo.withUnsafeBufferPointer { tl in
                Self.reduce4.withUnsafeBufferPointer { rem in
                    var zHi = y.hi, zLo = y.lo
                    var offset = 0
                    let base = blocks.baseAddress!.assumingMemoryBound(to: UInt8.self)
                    while offset < blocks.count {
                        var xHi: UInt64 = 0, xLo: UInt64 = 0
                        for i in 0..<8 { xHi = xHi << 8 | UInt64(base[offset + i]) }
                        for i in 8..<16 { xLo = xLo << 8 | UInt64(base[offset + i]) }
                        xHi ^= zHi; xLo ^= zLo
                        // Z = X·H, nibble by nibble from the last byte to the first.
                        var n = Int(xLo & 0x0f)
                        zHi = th[n]; zLo = tl[n]
                        var step = 1
                        while true {
                            // step 1...31 walks nibbles 1...31 counted from the block's end.
                            let word = step < 16 ? xLo : xHi
                            n = Int(truncatingIfNeeded: (word >> UInt64((step & 15) * 4)) & 0x0f)
                            let r = Int(truncatingIfNeeded: zLo & 0x0f)
                            zLo = (zHi << 60) | (zLo >> 4)
                            zHi = (zHi >> 4) ^ rem[r] ^ th[n]
                            zLo ^= tl[n]
                            step += 1
                            if step == 32 { break }
                        }
                        offset += 16
                    }
                    return (zHi, zLo)
                }
            }
        }
        yHi = hi; yLo = lo
    }

    /// S = GHASH(C || len(A) || len(C)), as 16 bytes; no associated data here.
    mutating func finish(ciphertextBytes: UInt64) -> [UInt8] {
        var lengths = [UInt8](repeating: 0, count: 16)
        let bits = ciphertextBytes &* 8
        for i in 0..<8 { lengths[8 + i] = UInt8(truncatingIfNeeded: bits >> (UInt64(7 - i) * 8)) }
        lengths.withUnsafeBytes { update(blocks: $0) }
        var out = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 {
            out[i] = UInt8(truncatingIfNeeded: yHi >> (UInt64(7 - i) * 8))
            out[8 + i] = UInt8(truncatingIfNeeded: yLo >> (UInt64(7 - i) * 8))
        }
        return out
    }
}
