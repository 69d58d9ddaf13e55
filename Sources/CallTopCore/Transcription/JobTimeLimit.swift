/// How long one transcription may run before the worker is presumed hung and
/// killed. The audio length a file's container claims is not believed on its
/// own: a crafted file claiming 100 hours would switch the guard off. The
/// audio counted is the least of
/// - what the container claims,
/// - what the file's size can hold at the lowest bitrate a recording has, and
/// - what the worker has actually decoded so far, plus one window ahead.
/// So the limit grows as real audio is decoded, and a job that stops making
/// progress is stopped.
public struct JobTimeLimit: Sendable, Equatable {
    /// Allowance on top of the audio's share (model warm-up, VAD, the last window).
    public var base: Double
    /// Seconds of work allowed per second of audio, per channel transcribed.
    public var perAudioSecond: Double
    /// Audio the worker may work on beyond what it reported decoded: its window (worker.py window_seconds).
    public var lookahead: Double
    /// The fewest bytes one second of audio takes: 8 kbit/s, below any telephone recording
    /// (Twilio's MP3 is 32 kbit/s, its WAV 128 kbit/s).
    public var minBytesPerSecond: Double

    public init(base: Double = 30, perAudioSecond: Double = 2, lookahead: Double = 60, minBytesPerSecond: Double = 1000) {
        self.base = base
        self.perAudioSecond = perAudioSecond
        self.lookahead = lookahead
        self.minBytesPerSecond = minBytesPerSecond
    }

    /// The most audio a file of this size can hold.
    public func audioSecondsBound(fileBytes: Int64) -> Double {
        Double(max(0, fileBytes)) / minBytesPerSecond
    }

    /// Seconds allowed from the job's start (the worker's `started` line).
    public func seconds(claimedAudioSeconds: Double?, decodedAudioSeconds: Double, fileBytes: Int64, channels: Int) -> Double {
        let bySize = audioSecondsBound(fileBytes: fileBytes)
        let claimed = claimedAudioSeconds.flatMap { $0.isFinite && $0 >= 0 ? $0 : nil } ?? bySize
        let decoded = decodedAudioSeconds.isFinite ? max(0, decodedAudioSeconds) : 0
        let audio = min(claimed, bySize, decoded + lookahead)
        return base + perAudioSecond * Double(max(1, channels)) * audio
    }
}
