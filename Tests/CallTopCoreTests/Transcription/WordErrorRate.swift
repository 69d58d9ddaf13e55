import Foundation

/// Word error rate after the normalisation STT-NOTES asks for: case and
/// punctuation ignored, numbers spoken as words ("9.30" → "nine thirty").
enum WordErrorRate {
    static func between(reference: String, hypothesis: String) -> Double {
        let ref = words(reference), hyp = words(hypothesis)
        guard !ref.isEmpty else { return hyp.isEmpty ? 0 : 1 }
        var previous = Array(0...hyp.count)
        for (i, r) in ref.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: hyp.count)
            for (j, h) in hyp.enumerated() {
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (r == h ? 0 : 1))
            }
            previous = current
        }
        return Double(previous[hyp.count]) / Double(ref.count)
    }

    static func words(_ text: String) -> [String] {
        text.lowercased()
            .replacingOccurrences(of: "o'clock", with: "oclock")
            .split { !($0.isLetter || $0.isNumber) }
            .flatMap { token -> [String] in
                guard let n = Int(token) else { return [String(token)] }
                return spoken(n)
            }
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
