import Crypto
import _CryptoExtras
import Foundation

/// AES-256-GCM decryption in bounded memory: GCM is CTR mode (counter from
/// J0 + 1) plus GHASH over the ciphertext, so the body is decrypted batch by
/// batch with swift-crypto's AES._CTR while GHASH runs beside it, and the tag
/// (the body's last 16 bytes) is checked at the end. Memory stays at about one
/// batch whatever the call's length. The caller must not give plaintext a
/// final name before `finish()` says the tag matched.
struct GCMStreamDecryptor {
    static let tagBytes = 16
    static let batchBytes = 256 << 10

    private let key: SymmetricKey
    private let iv: [UInt8]
    private var ghash: GHash
    private let encryptedJ0: [UInt8]
    private var pending: [UInt8] = []
    private var blocksDone: UInt64 = 0
    private(set) var ciphertextBytes: UInt64 = 0

    enum Problem: Error, Equatable { case badKeyOrNonce, tooLong }

    /// `key`: the 32-byte CEK; `iv`: the 12-byte nonce.
    init(key: SymmetricKey, iv: [UInt8]) throws(Problem) {
        guard key.bitCount == 256, iv.count == 12 else { throw .badKeyOrNonce }
        self.key = key
        self.iv = iv
        let zero = [UInt8](repeating: 0, count: 16)
        guard let h = try? AES._CTR.encrypt(zero, using: key, nonce: AES._CTR.Nonce(nonceBytes: zero)),
              let ej0 = try? AES._CTR.encrypt(zero, using: key, nonce: AES._CTR.Nonce(nonceBytes: iv + [0, 0, 0, 1]))
        else { throw .badKeyOrNonce }
        ghash = GHash(h: Array(h))
        encryptedJ0 = Array(ej0)
        pending.reserveCapacity(Self.batchBytes + (64 << 10))
    }

    /// Takes the next bytes of the body; returns the plaintext that is ready
    /// (the last 16 bytes seen are held back: they may be the tag).
    mutating func update(_ chunk: UnsafeRawBufferPointer) throws(Problem) -> Data {
        pending.append(contentsOf: chunk)
        guard pending.count >= Self.batchBytes + Self.tagBytes else { return Data() }
        let n = (pending.count - Self.tagBytes) / 16 * 16
        return try decrypt(count: n, final: false)
    }

    /// The rest of the plaintext, and whether the tag matched. Plaintext is
    /// returned even on a mismatch so the caller can count it, never to keep it.
    mutating func finish() throws(Problem) -> (tail: Data, authentic: Bool) {
        guard pending.count >= Self.tagBytes else { return (Data(), false) }
        let tail = try decrypt(count: pending.count - Self.tagBytes, final: true)
        let received = pending  // only the tag is left
        var expected = ghash.finish(ciphertextBytes: ciphertextBytes)
        for i in 0..<16 { expected[i] ^= encryptedJ0[i] }
        var diff: UInt8 = 0
        for i in 0..<16 { diff |= expected[i] ^ received[i] }
        return (tail, diff == 0)
    }

    private mutating func decrypt(count n: Int, final: Bool) throws(Problem) -> Data {
        guard n > 0 else { return Data() }
        // inc32 counts only the low 32 bits: 2³² blocks (64 GiB) is GCM's own limit.
        let counter = 2 + blocksDone
        guard counter + UInt64(n + 15) / 16 < 1 << 32 else { throw .tooLong }
        var nonce = iv
        nonce += [UInt8(truncatingIfNeeded: counter >> 24), UInt8(truncatingIfNeeded: counter >> 16),
                  UInt8(truncatingIfNeeded: counter >> 8), UInt8(truncatingIfNeeded: counter)]
        let plain: Data
        do {
            plain = try pending.withUnsafeBytes { all in
                try AES._CTR.decrypt(UnsafeRawBufferPointer(rebasing: all[0..<n]), using: key,
                                     nonce: AES._CTR.Nonce(nonceBytes: nonce))
            }
        } catch {
            throw .badKeyOrNonce
        }
        let whole = n / 16 * 16
        pending.withUnsafeBytes { all in ghash.update(blocks: UnsafeRawBufferPointer(rebasing: all[0..<whole])) }
        if whole < n {
            precondition(final, "only the last batch may end inside a block")
            var last = [UInt8](repeating: 0, count: 16)
            for i in whole..<n { last[i - whole] = pending[i] }
            last.withUnsafeBytes { ghash.update(blocks: $0) }
        }
        pending.removeSubrange(0..<n)
        blocksDone += UInt64(whole / 16)
        ciphertextBytes += UInt64(n)
        return plain
    }
}
