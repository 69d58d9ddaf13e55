import Foundation
import GRDB

/// A row of `download_attempts`: one HTTP attempt, kept for the detail view.
struct DownloadAttemptRecord: CallTopRecord {
    static let databaseTableName = "download_attempts"
    var id: Int64?
    var recordingSid: String
    var startedAt: Date
    var httpStatus: Int?
    var twilioCode: Int?
    var bytes: Int64
    var durationMs: Int
    var error: String?

    init(_ a: DownloadAttempt) {
        id = nil; recordingSid = a.recordingSid; startedAt = a.startedAt; httpStatus = a.httpStatus
        twilioCode = a.twilioCode; bytes = a.bytes; durationMs = a.durationMs; error = a.error
    }

    var attempt: DownloadAttempt {
        DownloadAttempt(recordingSid: recordingSid, startedAt: startedAt, httpStatus: httpStatus, twilioCode: twilioCode,
                        bytes: bytes, durationMs: durationMs, error: error)
    }
}
