import CallTopCore
import Foundation

/// `f` cycles through these, in this order.
public enum StateFilter: String, CaseIterable, Sendable {
    case all
    case failed
    case notDownloaded = "not downloaded"
    case noOfflineTranscript = "no offline transcript"
    case inProgress = "in progress"
    case downloaded

    public var next: StateFilter {
        let all = StateFilter.allCases
        return all[(all.firstIndex(of: self)! + 1) % all.count]
    }

    func matches(_ row: CallRow) -> Bool {
        switch self {
        case .all: return true
        case .failed: return row.downloadState == .failed
        case .notDownloaded: return row.downloadState != .downloaded
        case .noOfflineTranscript: return row.transcriptSource != .offline
        case .inProgress: return row.downloadState?.isActive ?? false
        case .downloaded: return row.downloadState == .downloaded
        }
    }
}

/// `s` cycles through these, in this order.
public enum SortOrder: String, CaseIterable, Sendable {
    case newest = "newest first"
    case oldest = "oldest first"
    case state = "state (problems first)"
    case longest = "longest first"
    case largest = "largest first"

    public var next: SortOrder {
        let all = SortOrder.allCases
        return all[(all.firstIndex(of: self)! + 1) % all.count]
    }
}

/// The `/` filter: a case-insensitive substring, or a regular expression
/// after `re:`, matched against SIDs, numbers, state and call status.
struct TextFilter {
    enum Matcher {
        case substring(String)
        case regex(NSRegularExpression)
    }
    let matcher: Matcher

    static let regexPrefix = "re:"

    /// nil for an empty filter; throws with a message for a bad regex.
    init?(_ text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return nil }
        if trimmed.hasPrefix(Self.regexPrefix) {
            let pattern = String(trimmed.dropFirst(Self.regexPrefix.count))
            if pattern.isEmpty { return nil }
            do {
                matcher = .regex(try NSRegularExpression(pattern: pattern, options: [.caseInsensitive]))
            } catch {
                throw TextFilterError(message: "not a valid regular expression: \(pattern)")
            }
        } else {
            matcher = .substring(trimmed.lowercased())
        }
    }

    /// What the filter looks at in a row.
    static func fields(_ row: CallRow) -> [String] {
        [row.callSid, row.recordingSid ?? "", row.from, row.to, row.downloadState?.rawValue ?? "no recording", row.callStatus, row.direction]
    }

    func matches(_ row: CallRow) -> Bool {
        let fields = Self.fields(row)
        switch matcher {
        case .substring(let needle):
            return fields.contains { $0.lowercased().contains(needle) }
        case .regex(let regex):
            return fields.contains { field in
                regex.firstMatch(in: field, range: NSRange(field.startIndex..., in: field)) != nil
            }
        }
    }
}

struct TextFilterError: Error, Equatable { var message: String }

/// The visible order: indices into the loaded rows. Computed only when rows,
/// filter or sort change, never per frame. The state filter and the sort make
/// a base order; the text filter keeps the matching part of it, so a
/// keystroke costs one scan and no sort.
enum RowIndex {
    static func compute(rows: [CallRow], stateFilter: StateFilter, text: TextFilter?, sort: SortOrder) -> [Int] {
        filter(order(rows: rows, stateFilter: stateFilter, sort: sort), rows: rows, text: text, search: nil)
    }

    /// `search` speeds up substring filters; without it rows are matched field by field.
    static func filter(_ order: [Int], rows: [CallRow], text: TextFilter?, search: RowSearchText?) -> [Int] {
        guard let text else { return order }
        if case .substring(let needle) = text.matcher, let search, search.count == rows.count {
            let bytes = Array(needle.utf8)
            return order.filter { search.contains(row: $0, bytes) }
        }
        return order.filter { text.matches(rows[$0]) }
    }

    static func order(rows: [CallRow], stateFilter: StateFilter, sort: SortOrder) -> [Int] {
        var indices: [Int] = []
        indices.reserveCapacity(rows.count)
        for i in rows.indices where stateFilter.matches(rows[i]) {
            indices.append(i)
        }
        // Keys are extracted once so the sort compares plain numbers.
        let startKeys = rows.map { $0.startTime?.timeIntervalSince1970 ?? -.infinity }
        func byNewest(_ a: Int, _ b: Int) -> Bool {
            if startKeys[a] != startKeys[b] { return startKeys[a] > startKeys[b] }
            return rows[a].callSid < rows[b].callSid
        }
        switch sort {
        case .newest:
            indices.sort(by: byNewest)
        case .oldest:
            indices.sort { a, b in
                if startKeys[a] != startKeys[b] { return startKeys[a] < startKeys[b] }
                return rows[a].callSid < rows[b].callSid
            }
        case .state:
            let keys = rows.map { problemRank($0.downloadState) }
            indices.sort { a, b in keys[a] != keys[b] ? keys[a] < keys[b] : byNewest(a, b) }
        case .longest:
            let keys = rows.map { $0.durationS ?? -1 }
            indices.sort { a, b in keys[a] != keys[b] ? keys[a] > keys[b] : byNewest(a, b) }
        case .largest:
            let keys = rows.map { $0.bytes ?? -1 }
            indices.sort { a, b in keys[a] != keys[b] ? keys[a] > keys[b] : byNewest(a, b) }
        }
        return indices
    }

    /// Problems first: what an on-call engineer has to act on comes to the top.
    private static func problemRank(_ state: DownloadState?) -> Int {
        switch state {
        case .failed: return 0
        case .retrying: return 1
        case .notReady: return 2
        case .downloading: return 3
        case .pending: return 4
        case .absent: return 5
        case .downloaded: return 6
        case nil: return 7
        }
    }
}
