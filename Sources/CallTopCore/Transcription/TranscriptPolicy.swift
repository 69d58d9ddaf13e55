/// Where a call's offline transcription stands, as the policy needs to know it.
public enum OfflineTranscriptState: Sendable, Equatable {
    /// No recording exists (or none was downloaded), so no offline transcript can exist.
    case noRecording
    /// A recording exists; transcription has not started yet.
    case pending
    case running
    case failed(reason: String)
    /// Transcription succeeded but found no speech (empty after trimming).
    case empty
    case done(text: String)
}

/// The authoritative transcript of a call, where it came from and why.
public struct TranscriptChoice: Sendable, Equatable {
    public let text: String
    public let source: TranscriptSource
    /// Exact wording operators see (DESIGN.md, "Transcript policy").
    public let reason: String

    public init(text: String, source: TranscriptSource, reason: String) {
        self.text = text
        self.source = source
        self.reason = reason
    }
}

/// The offline-first transcript policy (DESIGN.md): any non-empty offline
/// transcript wins, with no minimum length; the realtime transcript is used
/// only when no offline one exists, and the reason says why.
public enum TranscriptPolicy {
    public static func choose(offline: OfflineTranscriptState, realtime: String?) -> TranscriptChoice {
        // A .done whose text is only whitespace is no transcript: treat as empty.
        if case .done(let text) = offline {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if !trimmed.isEmpty { return TranscriptChoice(text: trimmed, source: .offline, reason: "offline") }
            return choose(offline: .empty, realtime: realtime)
        }
        let why = whyNoOffline(offline)
        let realtimeText = realtime?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if !realtimeText.isEmpty {
            return TranscriptChoice(text: realtimeText, source: .realtime, reason: "\(why) → realtime")
        }
        // Nothing to show: say why the offline transcript is missing, except
        // when none could ever exist.
        if offline == .noRecording {
            return TranscriptChoice(text: "", source: .none, reason: "none available")
        }
        return TranscriptChoice(text: "", source: .none, reason: why)
    }

    /// Why there is no usable offline transcript, in the policy's words.
    static func whyNoOffline(_ state: OfflineTranscriptState) -> String {
        switch state {
        case .noRecording: return "no recording"
        // Running is still "pending" to a reader: the transcript is not there yet.
        case .pending, .running: return "offline pending"
        case .failed(let reason): return "offline failed: \(reason)"
        case .empty: return "offline empty (no speech)"
        case .done: return "offline"
        }
    }
}
