import Foundation
import Testing

/// Compares screen lines with `Snapshots/<name>.txt`. With
/// CALLTOP_RECORD_SNAPSHOTS=1 it writes the file instead; otherwise a missing
/// or different snapshot fails with the differing lines side by side.
func assertSnapshot(_ lines: [String], named name: String, filePath: String = #filePath, sourceLocation: SourceLocation = #_sourceLocation) {
    let dir = URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")
    let file = dir.appendingPathComponent("\(name).txt")
    let actual = lines.joined(separator: "\n") + "\n"
    if ProcessInfo.processInfo.environment["CALLTOP_RECORD_SNAPSHOTS"] == "1" {
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try? actual.write(to: file, atomically: true, encoding: .utf8)
        return
    }
    guard let expected = try? String(contentsOf: file, encoding: .utf8) else {
        Issue.record("missing snapshot \(file.path); record it with CALLTOP_RECORD_SNAPSHOTS=1\n\(actual)", sourceLocation: sourceLocation)
        return
    }
    guard expected != actual else { return }
    let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
    let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
    var report = "snapshot \(name) differs (re-record on purpose with CALLTOP_RECORD_SNAPSHOTS=1):\n"
    for i in 0..<max(e.count, a.count) {
        let el = i < e.count ? String(e[i]) : "<none>"
        let al = i < a.count ? String(a[i]) : "<none>"
        if el != al { report += "line \(i + 1):\n  expected: \(el)\n  actual:   \(al)\n" }
    }
    Issue.record(Comment(rawValue: report), sourceLocation: sourceLocation)
}
