import Foundation
import GRDB

/// Where an interrupted sync goes on from, and the list items it could not read.
public struct SyncCursor: Sendable, Equatable {
    public enum Phase: String, Sendable { case calls, recordings }
    public var phase: Phase
    public var pageURI: String
    public var windowStart: String?
}

extension Store {
    public func syncCursor(_ name: String) throws -> SyncCursor? {
        try db.read { db in
            try Row.fetchOne(db, sql: "SELECT phase, page_uri, window_start FROM sync_cursor WHERE name = ?", arguments: [name]).flatMap { row in
                SyncCursor.Phase(rawValue: row["phase"]).map { SyncCursor(phase: $0, pageURI: row["page_uri"], windowStart: row["window_start"]) }
            }
        }
    }

    public func setSyncCursor(_ name: String, _ cursor: SyncCursor?, now: Date) throws {
        try db.write { db in
            guard let cursor else {
                try db.execute(sql: "DELETE FROM sync_cursor WHERE name = ?", arguments: [name])
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
                try db.execute(sql: "INSERT INTO sync_rejects(page_uri, item_index, reason, item, seen_at) VALUES (?, ?, ?, ?, ?)",
                               arguments: [pageURI, r.index, r.reason, r.sid ?? "", now.timeIntervalSince1970])
            }
        }
    }

    /// The reasons items were rejected, newest first.
    public func syncRejects(limit: Int = 100) throws -> [(sid: String, reason: String)] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT item, reason FROM sync_rejects ORDER BY id DESC LIMIT ?", arguments: [limit]).map { ($0["item"], $0["reason"]) }
        }
    }
}
