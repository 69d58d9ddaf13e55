import Foundation
import GRDB

/// What the store's shared transactions need from an engine's connection:
/// run a statement, read rows. GRDB's `Database` (SQLite) and
/// `PostgresSession` (PostgreSQL) both are one, so each store operation is
/// written once (`StoreTransactions`) and each engine only opens transactions.
public protocol SQLExecutor {
    /// Runs a statement; returns how many rows it changed.
    @discardableResult func execute(_ sql: String, _ arguments: [any SQLBindable]) throws -> Int
    func query(_ sql: String, _ arguments: [any SQLBindable]) throws -> [SQLRow]
}

extension SQLExecutor {
    @discardableResult public func execute(_ sql: String) throws -> Int { try execute(sql, []) }
    public func query(_ sql: String) throws -> [SQLRow] { try query(sql, []) }

    public func one(_ sql: String, _ arguments: [any SQLBindable] = []) throws -> SQLRow? {
        try query(sql, arguments).first
    }

    /// The first column of the first row (`.null` when there is none).
    public func scalar(_ sql: String, _ arguments: [any SQLBindable] = []) throws -> SQLValue {
        try one(sql, arguments)?[0] ?? .null
    }

    public func records<T: Decodable>(_ type: T.Type, _ sql: String, _ arguments: [any SQLBindable] = []) throws -> [T] {
        try query(sql, arguments).map { try $0.decode(T.self) }
    }

    public func record<T: Decodable>(_ type: T.Type, _ sql: String, _ arguments: [any SQLBindable] = []) throws -> T? {
        try one(sql, arguments).map { try $0.decode(T.self) }
    }
}

extension PostgresSession: SQLExecutor {}

extension Database: SQLExecutor {
    @discardableResult
    public func execute(_ sql: String, _ arguments: [any SQLBindable]) throws -> Int {
        let values = StatementArguments(arguments.map(\.sqlValue.databaseValue))
        if let statement = try reusableStatement(sql) {
            try statement.execute(arguments: values)
        } else {
            try execute(sql: sql, arguments: values)
        }
        return changesCount
    }

    public func query(_ sql: String, _ arguments: [any SQLBindable]) throws -> [SQLRow] {
        let values = StatementArguments(arguments.map(\.sqlValue.databaseValue))
        let rows = if let statement = try reusableStatement(sql) {
            try Row.fetchAll(statement, arguments: values)
        } else {
            try Row.fetchAll(self, sql: sql, arguments: values)
        }
        return rows.map { row in SQLRow(columns: Array(row.columnNames), values: row.databaseValues.map(SQLValue.init)) }
    }

    /// The store's statements are a fixed set, run thousands of times in a backlog: compiled
    /// once per connection, not per call (compiling, with GRDB's authorizer, was a tenth of a
    /// download's CPU). Not cached: a list of placeholders (`IN (?, …)`), whose text varies with
    /// the list's length, and a script of several statements.
    private func reusableStatement(_ sql: String) throws -> Statement? {
        guard !sql.contains("IN (?"), !sql.contains(";") else { return nil }
        return try cachedStatement(sql: sql)
    }
}

extension SQLValue {
    var databaseValue: DatabaseValue {
        switch self {
        case .null: .null
        case .int(let i): i.databaseValue
        case .double(let d): d.databaseValue
        case .text(let s): s.databaseValue
        case .bool(let b): b.databaseValue
        }
    }

    init(_ value: DatabaseValue) {
        switch value.storage {
        case .null: self = .null
        case .int64(let i): self = .int(Int(i))
        case .double(let d): self = .double(d)
        case .string(let s): self = .text(s)
        case .blob(let data): self = .text(String(decoding: data, as: UTF8.self))
        }
    }
}
