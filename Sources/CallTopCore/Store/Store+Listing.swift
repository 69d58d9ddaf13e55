import Foundation
import GRDB

extension Store {
    /// The row query behind `list` and the dashboard: each call with its
    /// primary (earliest) recording and a summary of the transcript that
    /// counts (any non-empty offline transcript wins).
    static let callRowSQL = """
        SELECT c.sid, c.from_number, c.to_number, c.direction, c.status, c.start_time, c.duration_s,
               r.sid AS recording_sid, r.download_state, r.bytes, r.expected_bytes, r.attempts, r.last_error,
               r.next_retry_at, r.path, r.sha256,
               (SELECT LENGTH(TRIM(t.text)) FROM transcripts t WHERE t.call_sid = c.sid AND t.source = 'offline' AND TRIM(t.text) != '') AS offline_chars,
               (SELECT LENGTH(TRIM(t.text)) FROM transcripts t WHERE t.call_sid = c.sid AND t.source = 'realtime' AND TRIM(t.text) != ''
                ORDER BY t.created_at DESC LIMIT 1) AS realtime_chars,
               (SELECT x.suspect FROM transcript_crosschecks x WHERE x.call_sid = c.sid) AS suspect,
               (SELECT CASE WHEN o.state = 'delivered' THEN 'delivered' WHEN o.attempts > 0 AND o.last_error IS NOT NULL THEN 'failing'
                            ELSE 'pending' END
                FROM webhook_outbox o WHERE o.call_sid = c.sid ORDER BY o.version DESC LIMIT 1) AS delivery
        FROM calls c
        LEFT JOIN recordings r ON r.sid = (
            SELECT sid FROM recordings WHERE call_sid = c.sid ORDER BY COALESCE(date_created, 0), sid LIMIT 1)
        """

    static func callRow(_ row: Row) -> CallRow {
        let date = { (name: String) -> Date? in (row[name] as Double?).map(Date.init(timeIntervalSince1970:)) }
        let offline: Int? = row["offline_chars"]
        let realtime: Int? = row["realtime_chars"]
        return CallRow(
            callSid: row["sid"], from: row["from_number"], to: row["to_number"], direction: row["direction"],
            callStatus: row["status"], startTime: date("start_time"), durationS: row["duration_s"],
            recordingSid: row["recording_sid"], downloadState: (row["download_state"] as String?).flatMap(DownloadState.init(rawValue:)),
            bytes: row["bytes"], expectedBytes: row["expected_bytes"], attempts: (row["attempts"] as Int?) ?? 0,
            lastError: row["last_error"], nextRetryAt: date("next_retry_at"), path: row["path"], sha256: row["sha256"],
            transcriptSource: offline != nil ? .offline : realtime != nil ? .realtime : .none,
            transcriptChars: offline ?? realtime ?? 0, suspect: (row["suspect"] as Bool?) ?? false, delivery: row["delivery"])
    }

    /// Every call, newest first; `state` keeps only calls whose primary recording is in it.
    public func callRows(state: DownloadState? = nil, limit: Int? = nil) throws -> [CallRow] {
        try db.read { db in
            var sql = Self.callRowSQL
            var args: StatementArguments = []
            if let state {
                sql += " WHERE r.download_state = ?"
                args += [state.rawValue]
            }
            sql += " ORDER BY c.start_time DESC, c.sid DESC"
            if let limit { sql += " LIMIT \(max(0, limit))" }
            return try Row.fetchAll(db, sql: sql, arguments: args).map(Self.callRow)
        }
    }

    public func callRow(_ callSid: String) throws -> CallRow? {
        try db.read { db in
            try Row.fetchOne(db, sql: Self.callRowSQL + " WHERE c.sid = ?", arguments: [callSid]).map(Self.callRow)
        }
    }

    public func callExists(_ callSid: String) throws -> Bool {
        try db.read { try Bool.fetchOne($0, sql: "SELECT 1 FROM calls WHERE sid = ?", arguments: [callSid]) ?? false }
    }

    /// Counts per download state over all recordings, for headers and `doctor`.
    public func stateCounts() throws -> [DownloadState: Int] {
        try db.read { db in
            var out: [DownloadState: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT download_state, COUNT(*) AS n FROM recordings GROUP BY download_state") {
                if let s = DownloadState(rawValue: row["download_state"]) { out[s] = row["n"] }
            }
            return out
        }
    }
}
