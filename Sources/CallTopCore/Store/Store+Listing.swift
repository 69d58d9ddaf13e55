import Foundation
import GRDB

extension Store {
    /// Every call, newest first; `state` keeps calls with any recording in it.
    /// `withRecordings` fills each row's `recordings` (for `list --json`).
    /// The rows come off a GRDB cursor by position: the 100,000-call path.
    public func callRows(state: DownloadState? = nil, limit: Int? = nil, withRecordings: Bool = false) throws -> [CallRow] {
        try db.read { db in
            let (sql, args) = StoreTransactions.callRowsQuery(state: state, limit: limit)
            var rows: [CallRow] = []
            let cursor = try Row.fetchCursor(db, sql: sql, arguments: StatementArguments(args.map(\.sqlValue.databaseValue)))
            while let row = try cursor.next() { rows.append(CallRow(listRow: row)) }
            if withRecordings { try StoreTransactions.attachRecordings(db, to: &rows) }
            try StoreTransactions.attachWorkers(db, to: &rows)
            return rows
        }
    }
}
