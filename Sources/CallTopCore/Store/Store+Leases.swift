import Foundation
import GRDB

/// Claims on downloads and transcriptions (the rules: `StoreTransactions`).
extension Store {
    /// Claims a recording for download: marks it downloading under this
    /// store's owner and assigns its file name if it has none. Returns nil when
    /// it is not due or someone else holds it.
    public func claimDownload(_ sid: String, now: Date) throws -> StoredRecording? {
        try db.write { [owner, lease] db in try StoreTransactions.claimDownload(db, sid, owner: owner, lease: lease, now: now) }
    }

    /// The same from async code, without blocking a cooperative thread.
    public func claimDownload(_ sid: String, now: Date) async throws -> StoredRecording? {
        try await db.write { [owner, lease] db in try StoreTransactions.claimDownload(db, sid, owner: owner, lease: lease, now: now) }
    }

    /// A worker's batch, waiting on GRDB's queue rather than a cooperative thread.
    public func claimDueDownloads(limit: Int, now: Date) async throws -> [StoredRecording] {
        try await db.write { [owner, lease, skipLocked] db in
            try StoreTransactions.claimDueDownloads(db, limit: limit, skipLocked: skipLocked, owner: owner, lease: lease, now: now)
        }
    }
}
