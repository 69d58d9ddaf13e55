import CallTopCore
import Crypto
import Foundation

/// The JSON document POSTed to `--notify-url`, one per (call, version).
public struct DeliveryDocument: Codable, Sendable, Equatable {
    public var callSid: String
    public var recordingSid: String?
    public var transcript: String
    /// `offline`, `realtime` or `none`.
    public var source: String
    /// The policy's reason, e.g. `offline`, `offline pending → realtime`.
    public var reason: String
    public var chars: Int
    public var audioSHA256: String?
    public var model: String?
    public var version: Int
    /// The version this one replaces (an offline transcript after a realtime fallback).
    public var supersedes: Int?
    public var settledAt: String
    /// Words that differ between offline and realtime, when both exist.
    public var disagreement: Double?
    public var suspect: Bool?

    enum CodingKeys: String, CodingKey {
        case callSid = "call_sid", recordingSid = "recording_sid", transcript, source, reason, chars
        case audioSHA256 = "audio_sha256", model, version, supersedes, settledAt = "settled_at", disagreement, suspect
    }

    /// Stable bytes: sorted keys, so the stored payload is what gets signed and sent, every time.
    public func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }
}

/// The outbound signature: `X-CallTop-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>`
/// with `X-CallTop-Timestamp`, so a receiver can refuse replays; the same scheme Stripe and GitHub use.
public enum NotifySignature {
    public static let header = "X-CallTop-Signature"
    public static let timestampHeader = "X-CallTop-Timestamp"
    /// `CA….v2`: a receiver that sees an id twice can ignore the repeat.
    public static let deliveryHeader = "X-CallTop-Delivery"

    public static func sign(body: String, timestamp: Int, secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(timestamp).\(body)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + Hex.encode(mac)
    }

    public static func verify(signature: String?, body: String, timestamp: Int, secret: String) -> Bool {
        guard let signature else { return false }
        return ConstantTime.equals(sign(body: body, timestamp: timestamp, secret: secret), signature)
    }
}
