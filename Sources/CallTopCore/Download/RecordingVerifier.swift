import Foundation

/// Checks that every downloaded recording's file is still what was saved:
/// there, of the recorded size, with the recorded SHA-256.
public struct RecordingVerifier: Sendable {
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public var recordingSid: String
        public var path: String
        public var issue: String
        public var description: String { "\(recordingSid) \(path): \(issue)" }
    }

    public struct Report: Sendable, Equatable {
        public var checked = 0
        public var problems: [Problem] = []
        /// Downloaded recordings whose files live on other machines (team mode): not checked here.
        public var elsewhere = 0
    }

    let store: any CallStore

    public init(store: any CallStore) { self.store = store }

    /// `rehash` reads every file whole; without it only presence and size are checked.
    public func verify(rehash: Bool) throws -> Report {
        var report = Report()
        let heldHere = store.isShared ? try store.recordingsHeld(by: store.copyHolder) : nil
        for r in try store.downloadedRecordings() {
            guard let path = r.path else { continue }
            if let heldHere, !heldHere.contains(r.sid) {
                report.elsewhere += 1
                continue
            }
            report.checked += 1
            let url = store.dataDir.appendingPathComponent(path)
            func problem(_ issue: String) { report.problems.append(Problem(recordingSid: r.sid, path: path, issue: issue)) }
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
                  let size = (attributes[.size] as? NSNumber)?.int64Value
            else { problem("missing"); continue }
            if let expected = r.bytes, size != expected {
                problem("\(size) bytes on disk, \(expected) recorded")
                continue
            }
            guard rehash, let expected = r.sha256 else { continue }
            guard let actual = FileDigest.sha256(of: url) else { problem("unreadable"); continue }
            if actual != expected { problem("sha256 \(actual.prefix(12))… on disk, \(expected.prefix(12))… recorded") }
        }
        return report
    }
}
