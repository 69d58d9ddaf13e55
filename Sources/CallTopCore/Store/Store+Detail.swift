import Foundation
import GRDB

extension Store {
    /// Everything the detail view shows about a call, or nil if it is unknown.
    public func callDetail(_ callSid: String) throws -> CallDetail? {
        guard let row = try callRow(callSid) else { return nil }
        let extra = try db.read { db in
            try Row.fetchOne(db, sql: "SELECT end_time, price, price_unit FROM calls WHERE sid = ?", arguments: [callSid])
        }
        let recordings = try recordings(ofCall: callSid).map { r in
            var detail = RecordingDetail(recordingSid: r.sid, status: r.status, channels: r.channels, durationS: r.durationS, source: r.source,
                            uri: r.uri, downloadState: r.downloadState, bytes: r.bytes, expectedBytes: r.expectedBytes,
                            path: r.path.map { dataDir.appendingPathComponent($0).path }, sha256: r.sha256,
                            nextRetryAt: r.nextRetryAt, lastError: r.lastError, attempts: try attempts(ofRecording: r.sid))
            detail.publicKeySid = try encryptionDetails(of: r.sid)?.publicKeySid  // #15
            return detail
        }
        let price = (extra?["price"] as String?).map { p in p + ((extra?["price_unit"] as String?).map { " \($0)" } ?? "") }
        return CallDetail(row: row, endTime: (extra?["end_time"] as Double?).map(Date.init(timeIntervalSince1970:)),
                          price: price, recordings: recordings, transcript: try authoritativeTranscript(callSid))
    }
}
