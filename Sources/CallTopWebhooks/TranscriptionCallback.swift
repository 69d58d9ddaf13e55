import CallTopCore
import Foundation

/// A Twilio real-time transcription callback, parsed and checked. Only a
/// final `transcription-content` event carries a segment worth keeping.
public struct TranscriptionCallback: Sendable, Equatable {
    public var event: String
    public var callSid: String
    /// nil unless this is a final content event with text.
    public var segment: RealtimeSegment?

    public init(_ form: FormParameters) throws(RecordingStatusCallback.Problem) {
        guard let event = form["TranscriptionEvent"], !event.isEmpty, event.count <= 64 else { throw .invalidField("TranscriptionEvent") }
        guard let call = form["CallSid"], SID.isValid(call, prefix: "CA") else { throw .invalidField("CallSid") }
        self.event = event
        self.callSid = call
        guard event == "transcription-content", form["Final"]?.lowercased() == "true" else { return }
        // Twilio's transcription SIDs are GT + 32 hex; anything else is refused, an absent one is tolerated.
        let sessionSid = form["TranscriptionSid"] ?? ""
        guard sessionSid.isEmpty || Self.isSid(sessionSid) else { throw .invalidField("TranscriptionSid") }
        guard let sequence = form["SequenceId"].flatMap({ Int($0) }), sequence >= 0 else { throw .invalidField("SequenceId") }
        let track = form["Track"] ?? ""
        guard track.count <= 32, track.allSatisfy({ $0.isLetter || $0 == "_" }) else { throw .invalidField("Track") }
        guard let data = form["TranscriptionData"].flatMap({ Data($0.utf8) }),
              let payload = try? JSONDecoder().decode(TranscriptionData.self, from: data) else { throw .invalidField("TranscriptionData") }
        let text = payload.transcript.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return }
        segment = RealtimeSegment(transcriptionSid: sessionSid, track: track, sequenceId: sequence, text: text)
    }

    struct TranscriptionData: Decodable {
        var transcript: String
    }

    static func isSid(_ s: String) -> Bool {
        let b = Array(s.utf8)
        return b.count == 34 && b[0...1].allSatisfy { $0 >= 0x41 && $0 <= 0x5A }
            && b[2...].allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) || ($0 >= 0x41 && $0 <= 0x46) }
    }
}

/// Turns a call's final segments into its realtime transcript: sequence
/// order (Twilio numbers a session's events, both tracks together, so this
/// is conversation order), one line per segment, duplicates dropped.
public enum RealtimeAssembly {
    public static func assemble(_ segments: [RealtimeSegment]) -> String {
        var seen = Set<String>()
        return segments
            .sorted { ($0.sequenceId, $0.track, $0.transcriptionSid) < ($1.sequenceId, $1.track, $1.transcriptionSid) }
            .filter { seen.insert("\($0.transcriptionSid)/\($0.track)/\($0.sequenceId)").inserted }
            .map(\.text)
            .joined(separator: "\n")
    }
}
