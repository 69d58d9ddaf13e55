import GRDB

/// How every table record maps to its columns: snake_case names, and times as
/// seconds since 1970 in a REAL (the schema's convention since v1).
public protocol CallTopRecord: Codable, FetchableRecord, PersistableRecord, Sendable {}

extension CallTopRecord {
    public static var databaseColumnDecodingStrategy: DatabaseColumnDecodingStrategy { .convertFromSnakeCase }
    public static var databaseColumnEncodingStrategy: DatabaseColumnEncodingStrategy { .convertToSnakeCase }
    public static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { .timeIntervalSince1970 }
}
