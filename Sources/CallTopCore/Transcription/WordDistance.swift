import Foundation

/// Word-level edit distance between two transcripts (substitutions, insertions,
/// deletions), the one implementation for the webhooks' disagreement check and
/// the tests' word error rate. What counts as "the same word" differs between
/// those uses, so the normaliser is the caller's explicit choice.
/// (speech/calltop_stt/text.py has the Python tests' own.)
public enum WordDistance {
    public enum Normaliser: Sendable {
        /// Lower-cased; punctuation other than in-word apostrophes is dropped.
        /// Two engines' transcripts of one call, compared as written.
        case caseAndPunctuation
        /// Case and punctuation ignored, numbers spoken as words ("9.30" → "nine thirty"):
        /// a transcript against a reference written in words.
        case spokenNumbers
    }

    public static func words(_ text: String, _ normaliser: Normaliser) -> [String] {
        switch normaliser {
        case .caseAndPunctuation:
            return text.lowercased()
                .split { !($0.isLetter || $0.isNumber || $0 == "'") }
                .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "'")) }
                .filter { !$0.isEmpty }
        case .spokenNumbers:
            return text.lowercased()
                .replacingOccurrences(of: "o'clock", with: "oclock")
                .split { !($0.isLetter || $0.isNumber) }
                .flatMap { token -> [String] in
                    guard let n = Int(token) else { return [String(token)] }
                    return spoken(n)
                }
        }
    }

    /// Levenshtein distance over words, two rows of memory.
    public static func editDistance(_ a: [String], _ b: [String]) -> Int {
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

    /// Edits per reference word; an empty reference scores 0 against nothing and 1 against anything.
    public static func errorRate(reference: String, hypothesis: String, _ normaliser: Normaliser) -> Double {
        let ref = words(reference, normaliser), hyp = words(hypothesis, normaliser)
        guard !ref.isEmpty else { return hyp.isEmpty ? 0 : 1 }
        return Double(editDistance(ref, hyp)) / Double(ref.count)
    }

    private static let units = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                                "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
    private static let tens = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]

    static func spoken(_ n: Int) -> [String] {
        if n < 20 { return [units[n]] }
        if n < 100 { return [tens[n / 10]] + (n % 10 == 0 ? [] : [units[n % 10]]) }
        if n < 10_000 && n % 100 != 0 && n >= 1000 { return spoken(n / 100) + spoken(n % 100) }  // years and codes: "forty seven twenty nine"
        if n < 1000 { return [units[n / 100], "hundred"] + (n % 100 == 0 ? [] : spoken(n % 100)) }
        return String(n).compactMap { $0.wholeNumberValue }.map { units[$0] }
    }
}
