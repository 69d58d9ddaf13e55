import CallTopCore
import Foundation
import GRDB

extension Store {
    /// Stores one final segment; returns false when it was already there (a retried callback).
    @discardableResult
    public func saveRealtimeSegment(_ s: RealtimeSegment, callSid: String, now: Date) throws -> Bool {
        try db.write { db in
            try RealtimeSegmentRecord(callSid: callSid, transcriptionSid: s.transcriptionSid, track: s.track, sequenceId: s.sequenceId,
                                      text: s.text, receivedAt: now).insert(db, onConflict: .ignore)
            return db.changesCount > 0
        }
    }

    /// A call's final segments, in sequence order.
    public func realtimeSegments(_ callSid: String) throws -> [RealtimeSegment] {
        try db.read { db in
            try RealtimeSegmentRecord.filter(Column("call_sid") == callSid)
                .order(Column("sequence_id"), Column("track"), Column("transcription_sid")).fetchAll(db).map(\.segment)
        }
    }
}
