import CallTopCore
import Foundation

/// The text the `/` filter searches, lower-cased once per row load and kept in
/// one buffer, so a keystroke scans bytes instead of lower-casing seven fields
/// of every call again (100,000 calls: milliseconds instead of a visible pause).
final class RowSearchText: @unchecked Sendable {
    /// Row i's fields, separated by 0x01 (no typed needle holds it, so a match never spans two fields).
    private let bytes: [UInt8]
    private let starts: [Int]

    init(_ rows: [CallRow]) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(rows.count * 120)
        var starts: [Int] = []
        starts.reserveCapacity(rows.count + 1)
        for row in rows {
            starts.append(bytes.count)
            for (n, field) in TextFilter.fields(row).enumerated() {
                if n > 0 { bytes.append(1) }
                Self.appendLowercased(field, to: &bytes)
            }
        }
        starts.append(bytes.count)
        self.bytes = bytes
        self.starts = starts
    }

    var count: Int { starts.count - 1 }

    private static func appendLowercased(_ field: String, to bytes: inout [UInt8]) {
        if field.utf8.allSatisfy({ $0 < 0x80 }) {
            for b in field.utf8 { bytes.append(b >= 65 && b <= 90 ? b + 32 : b) }
        } else {
            bytes.append(contentsOf: field.lowercased().utf8)
        }
    }

    /// Whether row `i` contains `needle` (already lower-cased UTF-8).
    func contains(row i: Int, _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        let length = starts[i + 1] - starts[i]
        guard length >= needle.count else { return false }
        return bytes.withUnsafeBufferPointer { haystack in
            needle.withUnsafeBufferPointer { n in
                // memchr to each candidate first byte, memcmp the rest (glibc's memmem is not exported to Swift).
                let base = UnsafeRawPointer(haystack.baseAddress!)
                let first = Int32(n[0])
                var at = starts[i]
                let last = starts[i + 1] - n.count
                while at <= last {
                    guard let hit = memchr(base + at, first, last - at + 1) else { return false }
                    let offset = base.distance(to: UnsafeRawPointer(hit))
                    if memcmp(base + offset, n.baseAddress!, n.count) == 0 { return true }
                    at = offset + 1
                }
                return false
            }
        }
    }
}
