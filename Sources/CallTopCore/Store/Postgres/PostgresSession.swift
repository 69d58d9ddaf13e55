import Foundation
import Logging
import NIOCore
import PostgresNIO

/// One connection, inside a transaction or not: runs the store's SQL (written
/// with `?`) and returns plain rows. Used only within a pool's `withConnection`.
package struct PostgresSession {
    let connection: PostgresConnection
    let logger: Logger
    /// Rows inserted, updated or deleted so far: a transaction that changed
    /// nothing wakes no listener (else a worker's own idle rounds would wake it).
    let changed = ChangedRows()

    final class ChangedRows: @unchecked Sendable {  // one session, one thread at a time
        var count = 0
    }

    /// Runs a statement; returns how many rows it changed (or returned).
    @discardableResult
    package func execute(_ sql: String, _ arguments: [any SQLBindable] = []) throws -> Int {
        let metadata = try run(sql, arguments).metadata
        let rows = metadata.rows ?? 0
        if ["INSERT", "UPDATE", "DELETE"].contains(metadata.command) { changed.count += rows }
        return rows
    }

    package func query(_ sql: String, _ arguments: [any SQLBindable] = []) throws -> [SQLRow] {
        let result = try run(sql, arguments)
        if ["INSERT", "UPDATE", "DELETE"].contains(result.metadata.command) { changed.count += result.metadata.rows ?? 0 }  // RETURNING
        return result.rows.map(Self.row)
    }

    private func run(_ sql: String, _ arguments: [any SQLBindable]) throws -> PostgresQueryResult {
        var binds = PostgresBindings(capacity: arguments.count)
        for argument in arguments {
            switch argument.sqlValue {
            case .null: binds.appendNull()
            case .int(let i): binds.append(i)
            case .double(let d): binds.append(d)
            case .text(let s): binds.append(s)
            case .bool(let b): binds.append(b)
            }
        }
        let query = PostgresQuery(unsafeSQL: arguments.isEmpty ? sql : SQLPlaceholders.numbered(sql), binds: binds)
        return try connection.query(query, logger: logger).wait()
    }

    static func row(_ row: PostgresRow) -> SQLRow {
        var columns: [String] = []
        var values: [SQLValue] = []
        columns.reserveCapacity(row.count)
        values.reserveCapacity(row.count)
        for cell in row {
            columns.append(cell.columnName)
            values.append(value(cell))
        }
        return SQLRow(columns: columns, values: values)
    }

    static func value(_ cell: PostgresCell) -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8, .oid:
            return (try? cell.decode(Int.self)).map(SQLValue.int) ?? .null
        case .float4, .float8:
            return (try? cell.decode(Double.self)).map(SQLValue.double) ?? .null
        case .numeric:
            return (try? cell.decode(Decimal.self)).map { .double(NSDecimalNumber(decimal: $0).doubleValue) } ?? .null
        case .bool:
            return (try? cell.decode(Bool.self)).map(SQLValue.bool) ?? .null
        default:
            return (try? cell.decode(String.self)).map(SQLValue.text) ?? .null
        }
    }
}

extension PostgresConnectionPool {
    /// One statement, or several that need not see one moment together.
    @discardableResult
    package func session<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        try withConnection { try body(PostgresSession(connection: $0, logger: $0.logger)) }
    }

    /// Reads that must see one moment of the store (a screen, a command's output).
    package func read<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        try transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", notify: false, body)
    }

    /// A write: one transaction, committed whole or not at all. `notify` tells
    /// every dashboard and idle worker listening that the store changed.
    @discardableResult
    package func write<T>(notify: Bool = true, _ body: (PostgresSession) throws -> T) throws -> T {
        try transaction("BEGIN", notify: notify, body)
    }

    private func transaction<T>(_ begin: String, notify: Bool, _ body: (PostgresSession) throws -> T) throws -> T {
        // A pooled connection the server dropped while idle fails at BEGIN, before
        // anything was sent that could have taken effect: one more try, on a new connection.
        var retried = false
        var retriedConflict = false
        while true {
            var began = false
            do {
                return try withConnection { connection in
                    let s = PostgresSession(connection: connection, logger: connection.logger)
                    try s.execute(begin)
                    began = true
                    do {
                        let result = try body(s)
                        if notify, s.changed.count > 0 { try s.execute("SELECT pg_notify('\(PostgresChangeListener.channel)', '')") }
                        try s.execute("COMMIT")
                        return result
                    } catch {
                        if !connection.isClosed { _ = try? s.execute("ROLLBACK") }  // the error that matters is already thrown
                        throw error
                    }
                }
            } catch let error as PostgresStoreError where !began && !retried && error.kind == .unreachable {
                _ = error
                retried = true
            } catch let error as PostgresStoreError where !retriedConflict && ["40P01", "40001"].contains(error.sqlState ?? "") {
                // A deadlock or serialization failure rolled the whole transaction back: it runs once more.
                _ = error
                retriedConflict = true
            }
        }
    }
}
