import Foundation
import GRDB

/// What `/metrics` reports about queued work, read at scrape time.
public struct JobSnapshot: Sendable, Equatable {
    public struct Count: Sendable, Equatable, Hashable {
        public var kind: String
        public var state: String
        public var count: Int
        public init(kind: String, state: String, count: Int) { self.kind = kind; self.state = state; self.count = count }
    }
    public var counts: [Count]
    /// When the longest-waiting job last changed: a pending/retrying/not_ready
    /// download, a pending transcription or an undelivered outbox entry.
    public var oldestPendingSince: Date?
    public init(counts: [Count], oldestPendingSince: Date?) { self.counts = counts; self.oldestPendingSince = oldestPendingSince }
}
