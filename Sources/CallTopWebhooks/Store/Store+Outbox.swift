import CallTopCore
import Foundation
import GRDB

extension Store {
    /// Pending deliveries whose time has come, oldest first. A call's later
    /// version waits until its earlier one is acknowledged, so a receiver never
    /// sees an update before the document it supersedes.
    public func dueDeliveries(now: Date, limit: Int = 32) throws -> [OutboxDelivery] {
        try db.read { db in
            try OutboxRecord.fetchAll(db, sql: """
                SELECT o.* FROM webhook_outbox o
                WHERE o.state = 'pending' AND o.next_attempt_at <= ?
                  AND NOT EXISTS (SELECT 1 FROM webhook_outbox e WHERE e.call_sid = o.call_sid AND e.state = 'pending' AND e.version < o.version)
                ORDER BY o.id LIMIT ?
                """, arguments: [now.timeIntervalSince1970, max(1, limit)]).map(\.delivery)
        }
    }

    public func nextDeliveryAttempt() throws -> Date? {
        try db.read { db in
            try OutboxRecord.filter(Column("state") == OutboxState.pending).order(Column("next_attempt_at")).fetchOne(db)?.nextAttemptAt
        }
    }

    public func markDelivered(_ id: Int64, now: Date) throws {
        try db.write { db in
            try db.execute(sql: "UPDATE webhook_outbox SET state = 'delivered', attempts = attempts + 1, last_error = NULL, delivered_at = ? WHERE id = ?",
                           arguments: [now.timeIntervalSince1970, id])
        }
    }

    public func markDeliveryFailed(_ id: Int64, error: String, nextAttemptAt: Date) throws {
        try db.write { db in
            try db.execute(sql: "UPDATE webhook_outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ? AND state = 'pending'",
                           arguments: [error, nextAttemptAt.timeIntervalSince1970, id])
        }
    }

    /// Every delivery of a call, oldest version first.
    public func deliveries(ofCall callSid: String) throws -> [OutboxDelivery] {
        try db.read { db in
            try OutboxRecord.filter(Column("call_sid") == callSid).order(Column("version")).fetchAll(db).map(\.delivery)
        }
    }
}
