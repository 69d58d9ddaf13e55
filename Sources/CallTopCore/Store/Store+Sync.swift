import Foundation
import GRDB

/// Where an interrupted sync goes on from, and the list items it could not read.
public struct SyncCursor: Sendable, Equatable {
    public enum Phase: String, Sendable, Codable, DatabaseValueConvertible { case calls, recordings }
    public var phase: Phase
    public var pageURI: String
    public var windowStart: String?
}

extension Store {
    public func syncCursor(_ name: String) throws -> SyncCursor? {
        try db.read { db in
            try SyncCursorRecord.fetchOne(db, key: name).map { SyncCursor(phase: $0.phase, pageURI: $0.pageUri, windowStart: $0.windowStart) }
        }
    }

    public func setSyncCursor(_ name: String, _ cursor: SyncCursor?, now: Date) throws {
        try db.write { db in
            guard let cursor else {
                try SyncCursorRecord.deleteOne(db, key: name)
                return
            }
            try db.execute(sql: """
                INSERT INTO sync_cursor(name, phase, page_uri, window_start, started_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(name) DO UPDATE SET phase = excluded.phase, page_uri = excluded.page_uri,
                    window_start = excluded.window_start, updated_at = excluded.updated_at
                """, arguments: [name, cursor.phase.rawValue, cursor.pageURI, cursor.windowStart, now.timeIntervalSince1970, now.timeIntervalSince1970])
        }
    }

    public func recordSyncRejects(_ rejects: [RejectedItem], pageURI: String, now: Date) throws {
        guard !rejects.isEmpty else { return }
        try db.write { db in
            for r in rejects {
                try SyncRejectRecord(id: nil, pageUri: pageURI, itemIndex: r.index, reason: r.reason, item: r.sid ?? "", seenAt: now).insert(db)
            }
        }
    }

    /// The reasons items were rejected, newest first.
    public func syncRejects(limit: Int = 100) throws -> [(sid: String, reason: String)] {
        try db.read { db in
            try SyncRejectRecord.order(Column("id").desc).limit(limit).fetchAll(db).map { ($0.item, $0.reason) }
        }
    }
}
