import Crypto

/// The simulator keeps its own hex (DeterministicRandom's `hex`) instead of CallTopCore's `Hex` on purpose:
/// it is the fake Twilio the client is tested against and depends on none of the client's code, so a bug
/// in the client's encoder cannot agree with itself on both sides of a test.
enum SHA256Digest {
    static func hex(_ bytes: some Collection<UInt8>) -> String {
        SHA256.hash(data: Array(bytes)).map { CallTopSimulator.hex($0, digits: 2) }.joined()
    }
}
