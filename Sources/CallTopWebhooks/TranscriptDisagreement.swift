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
        let a = words(offline), b = words(realtime)
        let longer = max(a.count, b.count)
        let score = longer == 0 ? 0 : Double(editDistance(a, b)) / Double(longer)
        let judged = max(a.count, b.count) >= minimumWords
        return Result(disagreement: score, offlineWords: a.count, realtimeWords: b.count, suspect: judged && score > threshold)
    }

    /// Lower-cased words; punctuation other than in-word apostrophes is dropped.
    public static func words(_ text: String) -> [String] {
        text.lowercased()
            .split { !($0.isLetter || $0.isNumber || $0 == "'") }
            .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "'")) }
            .filter { !$0.isEmpty }
    }

    /// Levenshtein distance over words, two rows of memory.
    static func editDistance(_ a: [String], _ b: [String]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(substitution, previous[j] + 1, current[j - 1] + 1)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
