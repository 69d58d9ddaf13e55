import Foundation

/// A value bound to a `?` of the store's SQL, or read from a column. The
/// PostgreSQL engine speaks in these; times are seconds since 1970 in a
/// double, as the SQLite schema has always kept them, so one SQL text serves both.
public enum SQLValue: Sendable, Equatable {
    case null
    case int(Int)
    case double(Double)
    case text(String)
    case bool(Bool)

    public var isNull: Bool { self == .null }
}

/// Anything that can be bound to a `?`.
public protocol SQLBindable: Sendable {
    var sqlValue: SQLValue { get }
}

extension SQLValue: SQLBindable { public var sqlValue: SQLValue { self } }
extension Int: SQLBindable { public var sqlValue: SQLValue { .int(self) } }
extension Int32: SQLBindable { public var sqlValue: SQLValue { .int(Int(self)) } }
extension Int64: SQLBindable { public var sqlValue: SQLValue { .int(Int(self)) } }
extension Double: SQLBindable { public var sqlValue: SQLValue { .double(self) } }
extension String: SQLBindable { public var sqlValue: SQLValue { .text(self) } }
extension Bool: SQLBindable { public var sqlValue: SQLValue { .bool(self) } }
extension Date: SQLBindable { public var sqlValue: SQLValue { .double(timeIntervalSince1970) } }
extension Optional: SQLBindable where Wrapped: SQLBindable {
    public var sqlValue: SQLValue { self?.sqlValue ?? .null }
}

/// The store's string enums bind as their raw value.
extension SQLBindable where Self: RawRepresentable, RawValue == String {
    public var sqlValue: SQLValue { .text(rawValue) }
}

extension DownloadState: SQLBindable {}
extension TranscriptSource: SQLBindable {}
extension TranscriptionJobState: SQLBindable {}
extension WorkerState: SQLBindable {}
extension SyncCursor.Phase: SQLBindable {}

/// One result row: its values by position and by column name.
public struct SQLRow: Sendable {
    public let columns: [String]
    public let values: [SQLValue]

    public init(columns: [String], values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    public subscript(_ index: Int) -> SQLValue { index < values.count ? values[index] : .null }

    public subscript(_ name: String) -> SQLValue {
        columns.firstIndex(of: name).map { values[$0] } ?? .null
    }

    /// The row as a record: columns matched to properties by snake_case name.
    public func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        try T(from: SQLRowDecoder(row: self))
    }
}

extension SQLValue {
    public var string: String? {
        switch self {
        case .text(let s): s
        case .int(let i): String(i)
        case .double(let d): String(d)
        case .bool(let b): b ? "1" : "0"
        case .null: nil
        }
    }

    public var int: Int? {
        switch self {
        case .int(let i): i
        case .double(let d): Int(exactly: d.rounded(.towardZero))
        case .bool(let b): b ? 1 : 0
        case .text(let s): Int(s)
        case .null: nil
        }
    }

    public var double: Double? {
        switch self {
        case .double(let d): d
        case .int(let i): Double(i)
        case .text(let s): Double(s)
        case .bool, .null: nil
        }
    }

    public var bool: Bool? {
        switch self {
        case .bool(let b): b
        case .int(let i): i != 0
        case .double(let d): d != 0
        case .text(let s): ["t", "true", "1"].contains(s.lowercased())
        case .null: nil
        }
    }

    /// A time stored as seconds since 1970.
    public var date: Date? { double.map(Date.init(timeIntervalSince1970:)) }
}
