import Foundation

/// How long one media transfer may take in all, on top of the stall guard
/// (which only catches a transfer that stops moving): a fixed allowance plus
/// the time the expected size takes at a slow but honest rate. A recording
/// trickling in at a few bytes a second is given up on, and retried.
public struct DownloadTimeLimit: Sendable, Equatable {
    public var floorSeconds: TimeInterval
    /// The slowest rate still worth waiting for.
    public var minimumBytesPerSecond: Double
    /// What a second of audio may weigh, per channel: WAV at 8 kHz, 16 bit (MP3 is a quarter of it).
    public static let bytesPerAudioSecond = 16_000.0

    public init(floorSeconds: TimeInterval = 120, minimumBytesPerSecond: Double = 8_000) {
        self.floorSeconds = max(1, floorSeconds)
        self.minimumBytesPerSecond = max(1, minimumBytesPerSecond)
    }

    public func expectedBytes(durationS: Int?, channels: Int?) -> Double {
        let seconds = Double(min(max(durationS ?? 0, 0), 86_400))
        let tracks = Double(min(max(channels ?? 1, 1), 2))
        return seconds * tracks * Self.bytesPerAudioSecond
    }

    /// Whole seconds, as libcurl takes them.
    public func seconds(durationS: Int?, channels: Int?) -> TimeInterval {
        (floorSeconds + expectedBytes(durationS: durationS, channels: channels) / minimumBytesPerSecond).rounded(.up)
    }
}
