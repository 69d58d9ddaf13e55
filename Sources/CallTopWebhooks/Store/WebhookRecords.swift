import CallTopCore
import Foundation
import GRDB

extension OutboxState: DatabaseValueConvertible {}

/// A row of `realtime_segments`.
struct RealtimeSegmentRecord: CallTopRecord {
    static let databaseTableName = "realtime_segments"
    var callSid: String
    var transcriptionSid: String
    var track: String
    var sequenceId: Int
    var text: String
    var receivedAt: Date

    var segment: RealtimeSegment {
        RealtimeSegment(transcriptionSid: transcriptionSid, track: track, sequenceId: sequenceId, text: text)
    }
}

/// A row of `webhook_settlements`.
struct SettlementRecord: CallTopRecord {
    static let databaseTableName = "webhook_settlements"
    var callSid: String
    var recordingSid: String?
    var completedAt: Date
    var checksDone: Int
    var nextCheckAt: Date?
    var deliveredVersion: Int
    var deliveredSource: TranscriptSource?

    var settlement: WebhookSettlement {
        WebhookSettlement(callSid: callSid, recordingSid: recordingSid, completedAt: completedAt, checksDone: checksDone,
                          nextCheckAt: nextCheckAt, deliveredVersion: deliveredVersion, deliveredSource: deliveredSource)
    }
}

/// A row of `webhook_outbox`.
struct OutboxRecord: CallTopRecord {
    static let databaseTableName = "webhook_outbox"
    var id: Int64?
    var callSid: String
    var version: Int
    var source: TranscriptSource
    var payload: String
    var state: OutboxState
    var attempts: Int
    var nextAttemptAt: Date
    var lastError: String?
    var createdAt: Date
    var deliveredAt: Date?

    var delivery: OutboxDelivery {
        OutboxDelivery(id: id ?? 0, callSid: callSid, version: version, source: source, payload: payload, state: state,
                       attempts: attempts, nextAttemptAt: nextAttemptAt, lastError: lastError)
    }
}

/// A row of `transcript_crosschecks`.
struct CrossCheckRecord: CallTopRecord {
    static let databaseTableName = "transcript_crosschecks"
    var callSid: String
    var disagreement: Double
    var offlineWords: Int
    var realtimeWords: Int
    var suspect: Bool
    var checkedAt: Date

    init(_ c: TranscriptCrossCheck) {
        callSid = c.callSid; disagreement = c.disagreement; offlineWords = c.offlineWords
        realtimeWords = c.realtimeWords; suspect = c.suspect; checkedAt = c.checkedAt
    }

    var crossCheck: TranscriptCrossCheck {
        TranscriptCrossCheck(callSid: callSid, disagreement: disagreement, offlineWords: offlineWords,
                             realtimeWords: realtimeWords, suspect: suspect, checkedAt: checkedAt)
    }
}
