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

extension Store {
    /// Jobs by kind (`download`, `transcription`, `delivery`) and state.
    public func jobSnapshot() throws -> JobSnapshot {
        try db.read { db in
            var counts: [JobSnapshot.Count] = []
            let queries = [
                ("download", "SELECT download_state AS state, COUNT(*) AS n FROM recordings GROUP BY download_state"),
                ("transcription", "SELECT state, COUNT(*) AS n FROM transcription_jobs GROUP BY state"),
                ("delivery", "SELECT state, COUNT(*) AS n FROM webhook_outbox GROUP BY state"),
            ]
            for (kind, sql) in queries {
                for row in try StateCount.fetchAll(db, sql: sql) {
                    counts.append(.init(kind: kind, state: row.state, count: row.n))
                }
            }
            let oldest = try Double.fetchOne(db, sql: """
                SELECT MIN(t) FROM (
                    SELECT MIN(updated_at) AS t FROM recordings WHERE download_state IN ('pending', 'retrying', 'not_ready')
                    UNION ALL SELECT MIN(updated_at) FROM transcription_jobs WHERE state = 'pending'
                    UNION ALL SELECT MIN(created_at) FROM webhook_outbox WHERE state = 'pending')
                """)
            return JobSnapshot(counts: counts, oldestPendingSince: oldest.map(Date.init(timeIntervalSince1970:)))
        }
    }

    /// The cheapest query that proves the store answers (`/readyz`).
    public func ping() throws {
        _ = try db.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }
}
