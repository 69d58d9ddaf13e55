import Foundation
import GRDB

/// A row of `sync_marks`: how far an incremental sync has come.
struct SyncMarkRecord: CallTopRecord {
    static let databaseTableName = "sync_marks"
    var name: String
    /// Seconds since 1970 (stored as the REAL the mark has always been).
    var value: Date
}

/// A row of `sync_cursor`: the page an interrupted sync goes on from.
struct SyncCursorRecord: CallTopRecord {
    static let databaseTableName = "sync_cursor"
    var name: String
    var phase: SyncCursor.Phase
    var pageUri: String
    var windowStart: String?
    var startedAt: Date
    var updatedAt: Date
}

/// A row of `sync_rejects`: a list item Twilio sent that could not be read.
struct SyncRejectRecord: CallTopRecord {
    static let databaseTableName = "sync_rejects"
    var id: Int64?
    var pageUri: String
    var itemIndex: Int
    var reason: String
    var item: String
    var seenAt: Date
}
