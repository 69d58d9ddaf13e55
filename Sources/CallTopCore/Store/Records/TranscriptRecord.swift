import Foundation
import GRDB

/// A row of `transcripts`: one offline transcript per call (origin ''), and
/// realtime transcripts per call and origin.
struct TranscriptRecord: CallTopRecord {
    static let databaseTableName = "transcripts"
    var callSid: String
    var source: TranscriptSource
    var origin: String
    var text: String
    var engine: String?
    var model: String?
    var modelSha256: String?
    var audioSha256: String?
    var recordingSid: String?
    var settings: String?
    var segments: String?
    var audioSeconds: Double?
    var processingSeconds: Double?
    var createdAt: Date
}


extension TranscriptSource: DatabaseValueConvertible {}
