import Foundation

/// The one output format `make bench` promises (DESIGN.md, "Benchmarks"):
/// `BENCH <name> <value> <unit> (goal <goal>)`. Figures without a goal say `(info)`.
enum BenchLine {
    static func emit(_ name: String, _ value: Double, _ unit: String, goal: String?, digits: Int = 2) {
        let text = value.isFinite ? String(format: "%.\(digits)f", value) : "nan"
        let suffix = goal.map { "(goal \($0))" } ?? "(info)"
        write("BENCH \(name) \(text) \(unit) \(suffix)")
    }

    /// Context for a human reading the run; never starts with `BENCH`.
    static func note(_ text: String) {
        write("  # \(text)")
    }

    static func write(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}

/// Summaries of repeated timings, in seconds.
extension Array where Element == Double {
    var best: Double { self.min() ?? .nan }
    var median: Double {
        guard !isEmpty else { return .nan }
        let s = sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}

/// Seconds elapsed on the monotonic clock while `body` runs.
func secondsTaken(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// The async flavour (no typed throws: this compiler crashes on those with rethrows generics).
func secondsTakenAsync(_ body: () async throws -> Void) async rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try await body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
