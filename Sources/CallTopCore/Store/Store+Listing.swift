import Foundation
import GRDB

extension Store {
    /// The row query behind `list` and the dashboard: each call with its
    /// primary (earliest) recording and a summary of the transcript that
    /// counts (any non-empty offline transcript wins). Columns are read by
    /// position: with 100,000 calls, name lookups cost more than the query.
    /// SQL that ranks a recording's `download_state` as `DownloadState.byAttention` does:
    /// derived from the Swift order, so the two cannot drift apart.
    static let attentionRankSQL = "CASE download_state "
        + DownloadState.byAttention.enumerated().map { "WHEN '\($0.element.rawValue)' THEN \($0.offset) " }.joined()
        + "ELSE \(DownloadState.byAttention.count) END"

    static let callRowSQL = """
        SELECT c.sid, c.from_number, c.to_number, c.direction, c.status, c.start_time, c.duration_s,
               r.sid, (SELECT download_state FROM recordings WHERE call_sid = c.sid ORDER BY \(attentionRankSQL) LIMIT 1),
               r.bytes, r.expected_bytes, r.attempts, r.last_error,
               r.next_retry_at, r.path, r.sha256,
               CASE WHEN TRIM(o.text) != '' THEN LENGTH(TRIM(o.text)) END,
               (SELECT LENGTH(TRIM(t.text)) FROM transcripts t WHERE t.call_sid = c.sid AND t.source = 'realtime' AND TRIM(t.text) != ''
                ORDER BY t.created_at DESC LIMIT 1),
               x.suspect,
               (SELECT CASE WHEN d.state = 'delivered' THEN 'delivered' WHEN d.attempts > 0 AND d.last_error IS NOT NULL THEN 'failing'
                            ELSE 'pending' END
                FROM webhook_outbox d WHERE d.call_sid = c.sid ORDER BY d.version DESC LIMIT 1),
               (SELECT COUNT(*) FROM recordings WHERE call_sid = c.sid),
               r.public_key_sid
        FROM calls c
        LEFT JOIN recordings r ON r.sid = (
            SELECT sid FROM recordings WHERE call_sid = c.sid ORDER BY COALESCE(date_created, 0), sid LIMIT 1)
        LEFT JOIN transcripts o ON o.call_sid = c.sid AND o.source = 'offline' AND o.origin = ''
        LEFT JOIN transcript_crosschecks x ON x.call_sid = c.sid
        """

    static func callRow(_ row: Row) -> CallRow {
        let date = { (i: Int) -> Date? in (row[i] as Double?).map(Date.init(timeIntervalSince1970:)) }
        let offline: Int? = row[16]
        let realtime: Int? = row[17]
        return CallRow(
            callSid: row[0], from: row[1], to: row[2], direction: row[3], callStatus: row[4],
            startTime: date(5), durationS: row[6], recordingSid: row[7],
            downloadState: (row[8] as String?).flatMap(DownloadState.init(rawValue:)),
            bytes: row[9], expectedBytes: row[10], attempts: (row[11] as Int?) ?? 0, lastError: row[12],
            nextRetryAt: date(13), path: row[14], sha256: row[15],
            transcriptSource: offline != nil ? .offline : realtime != nil ? .realtime : .none,
            transcriptChars: offline ?? realtime ?? 0, suspect: (row[18] as Bool?) ?? false, delivery: row[19],
            recordingCount: row[20], publicKeySid: row[21])
    }

    /// Every call, newest first; `state` keeps calls with any recording in it.
    /// `withRecordings` fills each row's `recordings` (for `list --json`).
    public func callRows(state: DownloadState? = nil, limit: Int? = nil, withRecordings: Bool = false) throws -> [CallRow] {
        try db.read { db in
            var sql = Self.callRowSQL
            var args: StatementArguments = []
            if let state {
                sql += " WHERE EXISTS (SELECT 1 FROM recordings s WHERE s.call_sid = c.sid AND s.download_state = ?)"
                args += [state.rawValue]
            }
            sql += " ORDER BY c.start_time DESC, c.sid DESC"
            if let limit { sql += " LIMIT \(max(0, limit))" }
            var rows: [CallRow] = []
            let cursor = try Row.fetchCursor(db, sql: sql, arguments: args)
            while let row = try cursor.next() { rows.append(Self.callRow(row)) }
            guard withRecordings else { return rows }
            var byCall: [String: [CallRecording]] = [:]
            let all = try RecordingRecord.filter(Column("call_sid") != nil).order(SQL("COALESCE(date_created, 0)"), Column("sid")).fetchCursor(db)
            while let r = try all.next() {
                if let call = r.callSid { byCall[call, default: []].append(CallRecording(StoredRecording(r))) }
            }
            for i in rows.indices { rows[i].recordings = byCall[rows[i].callSid] ?? [] }
            return rows
        }
    }

    public func callRow(_ callSid: String) throws -> CallRow? {
        try db.read { db in
            try Row.fetchOne(db, sql: Self.callRowSQL + " WHERE c.sid = ?", arguments: [callSid]).map(Self.callRow)
        }
    }

    public func callExists(_ callSid: String) throws -> Bool {
        try db.read { try CallRecord.exists($0, key: callSid) }
    }

    /// How many calls there are, and how many per state (the one needing
    /// attention first among the call's recordings), nil meaning no
    /// recording: the header's figures, without loading every row.
    public func callCountsByState() throws -> (total: Int, byState: [DownloadState?: Int]) {
        try db.read { db in
            let total = try CallRecord.fetchCount(db)
            var byState: [DownloadState?: Int] = [:]
            // SQLite takes the bare column from the row holding the MIN: each call's most urgent recording.
            let rows = try StateCount.fetchAll(db, sql: """
                SELECT state, COUNT(*) AS n FROM (
                    SELECT download_state AS state, MIN(\(Self.attentionRankSQL))
                    FROM recordings WHERE call_sid IN (SELECT sid FROM calls) GROUP BY call_sid)
                GROUP BY state
                """)
            var withRecording = 0
            for row in rows {
                withRecording += row.n
                byState[DownloadState(rawValue: row.state), default: 0] += row.n
            }
            if total > withRecording { byState[nil] = total - withRecording }
            return (total, byState)
        }
    }

    /// Counts per download state over all recordings, for headers and `doctor`.
    public func stateCounts() throws -> [DownloadState: Int] {
        try db.read { db in
            var out: [DownloadState: Int] = [:]
            for row in try StateCount.fetchAll(db, sql: "SELECT download_state AS state, COUNT(*) AS n FROM recordings GROUP BY download_state") {
                if let s = DownloadState(rawValue: row.state) { out[s] = row.n }
            }
            return out
        }
    }
}

/// One line of a `GROUP BY state` count.
struct StateCount: Decodable, FetchableRecord {
    var state: String
    var n: Int
}
