import Foundation

/// Decodes a `Codable` table record from an `SQLRow`, as GRDB does for the
/// SQLite engine: property `modelSha256` reads column `model_sha256`, and a
/// `Date` is seconds since 1970. So the records serve both engines.
struct SQLRowDecoder: Decoder {
    let row: SQLRow
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(Keyed<Key>(row: row))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch(SQLRow.self, .init(codingPath: codingPath, debugDescription: "a row decodes as a record only"))
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        throw DecodingError.typeMismatch(SQLRow.self, .init(codingPath: codingPath, debugDescription: "a row decodes as a record only"))
    }

    /// `modelSha256` → `model_sha256` (GRDB's convertToSnakeCase for these names).
    static func column(_ key: any CodingKey) -> String {
        var out = ""
        for ch in key.stringValue {
            if ch.isUppercase { out += "_" + ch.lowercased() } else { out.append(ch) }
        }
        return out
    }

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let row: SQLRow
        var codingPath: [any CodingKey] = []
        var allKeys: [Key] { row.columns.compactMap { Key(stringValue: $0) } }

        func contains(_ key: Key) -> Bool { row.columns.contains(SQLRowDecoder.column(key)) }
        func decodeNil(forKey key: Key) throws -> Bool { value(key).isNull }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            let v = value(key)
            if T.self == Date.self {
                guard let date = v.date else { throw mismatch(type, key) }
                return date as! T  // swiftlint:disable:this force_cast — checked just above
            }
            return try T(from: SingleValue(value: v, codingPath: codingPath + [key]))
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            throw mismatch(type, key)
        }
        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { throw mismatch([Any].self, key) }
        func superDecoder() throws -> any Decoder { SQLRowDecoder(row: row) }
        func superDecoder(forKey key: Key) throws -> any Decoder { SQLRowDecoder(row: row) }

        private func value(_ key: Key) -> SQLValue { row[SQLRowDecoder.column(key)] }
        private func mismatch(_ type: Any.Type, _ key: Key) -> DecodingError {
            .typeMismatch(type, .init(codingPath: codingPath + [key], debugDescription: "column \(SQLRowDecoder.column(key)) holds \(value(key))"))
        }
    }

    /// One column's value, for the types records hold: strings, numbers, flags and string enums.
    struct SingleValue: Decoder, SingleValueDecodingContainer {
        let value: SQLValue
        var codingPath: [any CodingKey]
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> { throw mismatch(type) }
        func unkeyedContainer() throws -> any UnkeyedDecodingContainer { throw mismatch([Any].self) }
        func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

        func decodeNil() -> Bool { value.isNull }
        func decode(_ type: Bool.Type) throws -> Bool { try unwrap(value.bool, type) }
        func decode(_ type: String.Type) throws -> String { try unwrap(value.string, type) }
        func decode(_ type: Double.Type) throws -> Double { try unwrap(value.double, type) }
        func decode(_ type: Float.Type) throws -> Float { Float(try unwrap(value.double, Double.self)) }
        func decode(_ type: Int.Type) throws -> Int { try unwrap(value.int, type) }
        func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
        func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
        func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
        func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
        func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
        func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
        func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
        func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
        func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }
        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            if T.self == Date.self, let date = value.date { return date as! T }  // swiftlint:disable:this force_cast
            return try T(from: self)
        }

        private func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
            guard let i = value.int, let exact = T(exactly: i) else { throw mismatch(type) }
            return exact
        }
        private func unwrap<T>(_ v: T?, _ type: T.Type) throws -> T {
            guard let v else { throw mismatch(type) }
            return v
        }
        private func mismatch(_ type: Any.Type) -> DecodingError {
            .typeMismatch(type, .init(codingPath: codingPath, debugDescription: "the column holds \(value)"))
        }
    }
}
