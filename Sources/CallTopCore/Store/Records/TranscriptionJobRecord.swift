import Foundation
import GRDB

/// Where a call's offline transcription stands.
public enum TranscriptionJobState: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    case pending, running, failed, done
    /// The transcription ran and found no speech.
    case empty
}

/// A row of `transcription_jobs`.
struct TranscriptionJobRecord: CallTopRecord {
    static let databaseTableName = "transcription_jobs"
    var callSid: String
    var state: TranscriptionJobState
    var error: String?
    var updatedAt: Date
    var leaseOwner: String?
    var leaseExpiresAt: Date?
}
