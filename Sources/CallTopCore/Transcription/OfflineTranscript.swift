import Foundation

/// One stretch of speech in an offline transcript. `channel` is 0 for a mono
/// recording (or a down-mix) and 1 or 2 for the channels of a dual-channel one.
public struct TranscriptSegment: Sendable, Equatable, Codable {
    public let start: Double
    public let end: Double
    public let text: String
    public let channel: Int

    public init(start: Double, end: Double, text: String, channel: Int) {
        self.start = start
        self.end = end
        self.text = text
        self.channel = channel
    }
}

/// An offline transcript with its provenance: enough to trace it to the exact
/// audio bytes, model file and settings that produced it. The store persists
/// these values; this type does no I/O.
public struct OfflineTranscript: Sendable, Equatable, Codable {
    public let text: String
    public let segments: [TranscriptSegment]
    public let language: String
    /// SHA-256 (hex) of the audio file as transcribed.
    public let audioSHA256: String
    /// Model name as the worker knows it ("base", "tiny.en").
    public let model: String
    /// SHA-256 (hex) of the model's weights file (model.bin).
    public let modelSHA256: String
    public let engine: String
    /// The worker's settings object, as compact JSON with sorted keys.
    public let settingsJSON: String
    public let audioSeconds: Double
    public let processingSeconds: Double

    public init(text: String, segments: [TranscriptSegment], language: String, audioSHA256: String,
                model: String, modelSHA256: String, engine: String = "faster-whisper",
                settingsJSON: String, audioSeconds: Double, processingSeconds: Double) {
        self.text = text
        self.segments = segments
        self.language = language
        self.audioSHA256 = audioSHA256
        self.model = model
        self.modelSHA256 = modelSHA256
        self.engine = engine
        self.settingsJSON = settingsJSON
        self.audioSeconds = audioSeconds
        self.processingSeconds = processingSeconds
    }

    /// True when the worker found no speech: the policy's `.empty`.
    public var isEmpty: Bool { text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }

    /// The policy's view of this transcript.
    public var state: OfflineTranscriptState { isEmpty ? .empty : .done(text: text) }

    /// Real-time factor: processing seconds per second of audio.
    public var realTimeFactor: Double? { audioSeconds > 0 ? processingSeconds / audioSeconds : nil }

    /// The segments as JSON, for storing next to the text.
    public func segmentsJSON() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(segments) else { return "[]" }
        return String(decoding: data, as: UTF8.self)
    }
}
