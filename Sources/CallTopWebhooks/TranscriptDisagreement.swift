import CallTopCore
import Foundation

/// Word-level disagreement between a call's offline and realtime transcripts:
/// the word edit distance (substitutions, insertions, deletions) divided by the
/// longer transcript's word count, after lower-casing and dropping punctuation.
/// Two engines hearing the same call agree on most words; a high value means
/// the recording, the realtime engine or the offline model went wrong.
public enum TranscriptDisagreement {
    /// Above this the call is `suspect`. Engines on 8 kHz phone audio differ by
    /// 10–30 % of words in normal operation.
    public static let defaultThreshold = 0.4
    /// Fewer words than this in both transcripts says too little to judge.
    public static let minimumWords = 3

    public struct Result: Sendable, Equatable {
        public var disagreement: Double
        public var offlineWords: Int
        public var realtimeWords: Int
        public var suspect: Bool
    }

    public static func compare(offline: String, realtime: String, threshold: Double = defaultThreshold) -> Result {
        let a = WordDistance.words(offline, .caseAndPunctuation), b = WordDistance.words(realtime, .caseAndPunctuation)
        let longer = max(a.count, b.count)
        let score = longer == 0 ? 0 : Double(WordDistance.editDistance(a, b)) / Double(longer)
        let judged = max(a.count, b.count) >= minimumWords
        return Result(disagreement: score, offlineWords: a.count, realtimeWords: b.count, suspect: judged && score > threshold)
    }
}
