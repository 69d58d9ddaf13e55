import CallTopCore
import Foundation

/// One final segment of Twilio real-time transcription.
public struct RealtimeSegment: Sendable, Equatable {
    public var transcriptionSid: String
    public var track: String
    public var sequenceId: Int
    public var text: String

    public init(transcriptionSid: String, track: String, sequenceId: Int, text: String) {
        self.transcriptionSid = transcriptionSid; self.track = track; self.sequenceId = sequenceId; self.text = text
    }
}
