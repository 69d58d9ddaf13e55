import CallTopCore
import CallTopTestSupport
import CallTopWebhooks
import Foundation
import Testing

/// The two engines every contract test runs on.
enum StoreEngine: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres

    var testDescription: String { rawValue }

    /// A new, empty store: a fresh data dir, and on PostgreSQL a fresh database.
    func makeStore(owner: LeaseOwner = .thisProcess, lease: LeaseTerms = LeaseTerms()) throws -> any WebhookStore {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("calltop-contract-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        switch self {
        case .sqlite:
            return try Store(dataDir: dir, owner: owner, lease: lease)
        case .postgres:
            let db = try ThrowawayPostgres.shared().freshDatabase()
            return try PostgresStore(url: db.url, dataDir: dir, owner: owner, lease: lease)
        }
    }
}
