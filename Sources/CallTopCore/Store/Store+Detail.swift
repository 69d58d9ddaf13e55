import Foundation
import GRDB

extension Store {
    /// Everything the detail view shows about a call, or nil if it is unknown:
    /// one read, so the screen shows one moment of the store.
    public func callDetail(_ callSid: String) throws -> CallDetail? {
        try db.read { db in
            guard let row = try Row.fetchOne(db, sql: Self.callRowSQL + " WHERE c.sid = ?", arguments: [callSid]).map(Self.callRow),
                  let call = try CallRecord.fetchOne(db, key: callSid)
            else { return nil }
            let recordings = try RecordingRecord.filter(Column("call_sid") == callSid)
                .order(SQL("COALESCE(date_created, 0)"), Column("sid")).fetchAll(db).map { r in
                    var detail = RecordingDetail(recordingSid: r.sid, status: r.status, channels: r.channels, durationS: r.durationS,
                                                 source: r.source, uri: r.uri, downloadState: r.downloadState, bytes: r.bytes,
                                                 expectedBytes: r.expectedBytes, path: r.path.map { dataDir.appendingPathComponent($0).path },
                                                 sha256: r.sha256, nextRetryAt: r.nextRetryAt, lastError: r.lastError,
                                                 attempts: try Self.attempts(db, ofRecording: r.sid))
                    detail.publicKeySid = r.encryption?.publicKeySid  // #15
                    return detail
                }
            let price = call.price.map { p in p + (call.priceUnit.map { " \($0)" } ?? "") }
            return CallDetail(row: row, endTime: call.endTime, price: price, recordings: recordings,
                              transcript: try Self.authoritativeTranscript(db, callSid))
        }
    }
}
