import Foundation
import GRDB

extension Store {
    /// Every call, newest first; `state` keeps calls with any recording in it.
    /// `withRecordings` fills each row's `recordings` (for `list --json`).
    /// The rows come off a GRDB cursor by position: the 100,000-call path.
    public func callRows(state: DownloadState? = nil, limit: Int? = nil, withRecordings: Bool = false) throws -> [CallRow] {
        try db.read { db in
            var sql = StoreSQL.callRows
            var args: StatementArguments = []
            if let state {
                sql += " WHERE EXISTS (SELECT 1 FROM recordings s WHERE s.call_sid = c.sid AND s.download_state = ?)"
                args += [state.rawValue]
            }
            sql += StoreSQL.callRowsOrder
            if let limit { sql += " LIMIT \(max(0, limit))" }
            var rows: [CallRow] = []
            let cursor = try Row.fetchCursor(db, sql: sql, arguments: args)
            while let row = try cursor.next() { rows.append(CallRow(listRow: row)) }
            if withRecordings { try StoreTransactions.attachRecordings(db, to: &rows) }
            try StoreTransactions.attachWorkers(db, to: &rows)
            return rows
        }
    }
}
