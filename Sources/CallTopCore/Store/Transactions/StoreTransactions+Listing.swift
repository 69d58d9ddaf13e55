import Foundation
import GRDB

/// The list, the detail view and the counts behind headers and `/metrics`.
extension StoreTransactions {
    /// Every call, newest first; `state` keeps calls with any recording in it.
    /// `withRecordings` fills each row's `recordings` (for `list --json`).
    static func callRows(_ db: some SQLExecutor, state: DownloadState?, limit: Int?, withRecordings: Bool) throws -> [CallRow] {
        let (sql, args) = callRowsQuery(state: state, limit: limit)
        var rows = try db.query(sql, args).map(CallRow.init(listRow:))
        if withRecordings { try attachRecordings(db, to: &rows) }
        try attachWorkers(db, to: &rows)
        return rows
    }

    /// The list's query: every call newest first, or those with a recording in `state`.
    static func callRowsQuery(state: DownloadState?, limit: Int?) -> (sql: String, arguments: [any SQLBindable]) {
        var sql = StoreSQL.callRows
        var args: [any SQLBindable] = []
        if let state {
            sql += " WHERE EXISTS (SELECT 1 FROM recordings s WHERE s.call_sid = c.sid AND s.download_state = ?)"
            args.append(state)
        }
        sql += StoreSQL.callRowsOrder
        if let limit { sql += " LIMIT \(max(0, limit))" }
        return (sql, args)
    }

    /// In-flight claims named by the worker that made them: few rows at any
    /// time, read in one query per load and matched to the rows in Swift. A
    /// subquery per call in `StoreSQL.callRows` would slow the 100,000-call list.
    /// Claims of a process that is not a registered worker (a dashboard's own
    /// downloads) have no name and are left out.
    static let heldByWorkers = """
        SELECT h.call_sid, w.name FROM (
            SELECT call_sid, lease_owner FROM recordings
            WHERE download_state = 'downloading' AND lease_owner IS NOT NULL AND call_sid IS NOT NULL
            UNION ALL
            SELECT call_sid, lease_owner FROM transcription_jobs WHERE state = 'running' AND lease_owner IS NOT NULL
        ) h JOIN workers w ON w.owner = h.lease_owner
        """

    /// Which worker holds each call's download or transcription now, by call SID.
    static func workersHoldingCalls(_ db: some SQLExecutor) throws -> [String: String] {
        var byCall: [String: String] = [:]
        for row in try db.query(heldByWorkers) {
            guard let call = row[0].string, let name = row[1].string else { continue }
            if byCall[call] == nil { byCall[call] = name }
        }
        return byCall
    }

    /// Fills each row's `worker`; rows no worker holds keep nil.
    static func attachWorkers(_ db: some SQLExecutor, to rows: inout [CallRow]) throws {
        let held = try workersHoldingCalls(db)
        guard !held.isEmpty else { return }
        var left = held.count
        for i in rows.indices {
            guard let name = held[rows[i].callSid] else { continue }
            rows[i].worker = name
            left -= 1
            if left == 0 { break }
        }
    }

    /// Fills each row's `recordings`, oldest first, from one read of the recordings table.
    static func attachRecordings(_ db: some SQLExecutor, to rows: inout [CallRow]) throws {
        var byCall: [String: [CallRecording]] = [:]
        let all = try db.records(RecordingRecord.self, "SELECT * FROM recordings WHERE call_sid IS NOT NULL ORDER BY COALESCE(date_created, 0), sid")
        for r in all {
            if let call = r.callSid { byCall[call, default: []].append(CallRecording(StoredRecording(r))) }
        }
        for i in rows.indices { rows[i].recordings = byCall[rows[i].callSid] ?? [] }
    }

    static func callRow(_ db: some SQLExecutor, _ callSid: String) throws -> CallRow? {
        guard var row = try db.one(StoreSQL.callRows + " WHERE c.sid = ?", [callSid]).map(CallRow.init(listRow:)) else { return nil }
        row.worker = try workersHoldingCalls(db)[callSid]
        return row
    }

    /// Everything the detail view shows about a call, or nil if it is unknown.
    static func callDetail(_ db: some SQLExecutor, _ callSid: String, dataDir: URL) throws -> CallDetail? {
        guard let row = try callRow(db, callSid),
              let call = try db.record(CallRecord.self, "SELECT * FROM calls WHERE sid = ?", [callSid])
        else { return nil }
        let recordings = try db.records(RecordingRecord.self, "SELECT * FROM recordings WHERE call_sid = ? ORDER BY COALESCE(date_created, 0), sid",
                                        [callSid]).map { r in
            var detail = RecordingDetail(recordingSid: r.sid, status: r.status, channels: r.channels, durationS: r.durationS,
                                         source: r.source, uri: r.uri, downloadState: r.downloadState, bytes: r.bytes,
                                         expectedBytes: r.expectedBytes, path: r.path.map { dataDir.appendingPathComponent($0).path },
                                         sha256: r.sha256, nextRetryAt: r.nextRetryAt, lastError: r.lastError,
                                         attempts: try attempts(db, ofRecording: r.sid))
            detail.publicKeySid = r.encryption?.publicKeySid  // #15
            return detail
        }
        let price = call.price.map { p in p + (call.priceUnit.map { " \($0)" } ?? "") }
        return CallDetail(row: row, endTime: call.endTime, price: price, recordings: recordings,
                          transcript: try authoritativeTranscript(db, callSid))
    }

    /// How many calls there are, and how many per state (the one needing
    /// attention first among the call's recordings), nil meaning no recording.
    static func callCountsByState(_ db: some SQLExecutor) throws -> (total: Int, byState: [DownloadState?: Int]) {
        let total = try db.scalar("SELECT COUNT(*) FROM calls").int ?? 0
        var byState: [DownloadState?: Int] = [:]
        var withRecording = 0
        // Each call's most urgent recording is its lowest rank; the rank maps back to the state.
        for row in try db.query("""
            SELECT urgency, COUNT(*) FROM (
                SELECT MIN(\(StoreSQL.attentionRank)) AS urgency FROM recordings
                WHERE call_sid IN (SELECT sid FROM calls) GROUP BY call_sid) AS urgent
            GROUP BY urgency
            """) {
            let n = row[1].int ?? 0
            let rank = row[0].int ?? DownloadState.byAttention.count
            withRecording += n
            byState[DownloadState.byAttention.indices.contains(rank) ? DownloadState.byAttention[rank] : nil, default: 0] += n
        }
        if total > withRecording { byState[nil, default: 0] += total - withRecording }
        return (total, byState)
    }

    /// Counts per download state over all recordings, for headers and `doctor`.
    static func stateCounts(_ db: some SQLExecutor) throws -> [DownloadState: Int] {
        var out: [DownloadState: Int] = [:]
        for row in try db.query("SELECT download_state, COUNT(*) FROM recordings GROUP BY download_state") {
            if let s = row[0].string.flatMap(DownloadState.init(rawValue:)) { out[s] = row[1].int ?? 0 }
        }
        return out
    }

    /// Jobs by kind (`download`, `transcription`, `delivery`) and state.
    static func jobSnapshot(_ db: some SQLExecutor) throws -> JobSnapshot {
        var counts: [JobSnapshot.Count] = []
        for (kind, sql) in StoreSQL.jobCounts {
            for row in try db.query(sql) {
                counts.append(.init(kind: kind, state: row[0].string ?? "", count: row[1].int ?? 0))
            }
        }
        return JobSnapshot(counts: counts, oldestPendingSince: try db.scalar(StoreSQL.oldestPending).date)
    }
}

/// Column values by position: the list's 22 columns are read this way on
/// both engines (with 100,000 calls, name lookups cost more than the query).
protocol PositionalRow {
    func string(at i: Int) -> String?
    func int(at i: Int) -> Int?
    func double(at i: Int) -> Double?
    func bool(at i: Int) -> Bool?
}

extension SQLRow: PositionalRow {
    func string(at i: Int) -> String? { self[i].string }
    func int(at i: Int) -> Int? { self[i].int }
    func double(at i: Int) -> Double? { self[i].double }
    func bool(at i: Int) -> Bool? { self[i].bool }
}

extension Row: PositionalRow {
    func string(at i: Int) -> String? { self[i] }
    func int(at i: Int) -> Int? { self[i] }
    func double(at i: Int) -> Double? { self[i] }
    func bool(at i: Int) -> Bool? { self[i] }
}

extension CallRow {
    /// One row of `StoreSQL.callRows`.
    init(listRow row: some PositionalRow) {
        let date = { (i: Int) -> Date? in row.double(at: i).map(Date.init(timeIntervalSince1970:)) }
        let offline = row.int(at: 16)
        let realtime = row.int(at: 17)
        self.init(
            callSid: row.string(at: 0) ?? "", from: row.string(at: 1) ?? "", to: row.string(at: 2) ?? "",
            direction: row.string(at: 3) ?? "", callStatus: row.string(at: 4) ?? "",
            startTime: date(5), durationS: row.int(at: 6), recordingSid: row.string(at: 7),
            downloadState: row.string(at: 8).flatMap(DownloadState.init(rawValue:)),
            bytes: row.int(at: 9).map(Int64.init), expectedBytes: row.int(at: 10).map(Int64.init), attempts: row.int(at: 11) ?? 0,
            lastError: row.string(at: 12), nextRetryAt: date(13), path: row.string(at: 14), sha256: row.string(at: 15),
            transcriptSource: offline != nil ? .offline : realtime != nil ? .realtime : .none,
            transcriptChars: offline ?? realtime ?? 0, suspect: row.bool(at: 18) ?? false, delivery: row.string(at: 19),
            recordingCount: row.int(at: 20), publicKeySid: row.string(at: 21))
    }
}
