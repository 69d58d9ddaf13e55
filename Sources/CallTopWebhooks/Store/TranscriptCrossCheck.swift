import CallTopCore
import Foundation

/// The word-level comparison of a call's offline and realtime transcripts.
public struct TranscriptCrossCheck: Sendable, Equatable {
    public var callSid: String
    /// 0 (same words) … 1 (nothing in common).
    public var disagreement: Double
    public var offlineWords: Int
    public var realtimeWords: Int
    public var suspect: Bool
    public var checkedAt: Date

    public init(callSid: String, disagreement: Double, offlineWords: Int, realtimeWords: Int, suspect: Bool, checkedAt: Date) {
        self.callSid = callSid; self.disagreement = disagreement; self.offlineWords = offlineWords
        self.realtimeWords = realtimeWords; self.suspect = suspect; self.checkedAt = checkedAt
    }
}
