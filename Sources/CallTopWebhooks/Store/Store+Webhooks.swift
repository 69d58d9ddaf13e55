import CallTopCore
import Foundation
import GRDB

extension Store {
    // MARK: Recording status callbacks

    /// Applies a recording status callback and returns the recording's download
    /// state afterwards. Idempotent: a duplicate changes nothing, and a late
    /// `in-progress` never undoes `completed`; `absent` is final news, as in sync.
    @discardableResult
    public func applyRecordingCallback(_ f: RecordingCallbackFacts, now: Date) throws -> DownloadState {
        try db.write { db in
            let t = now.timeIntervalSince1970
            // The call may be unknown (no sync yet): a minimal row lets it show; sync fills it in.
            try db.execute(sql: """
                INSERT INTO calls(sid, account_sid, start_time, synced_at) VALUES (?, ?, ?, ?)
                ON CONFLICT(sid) DO NOTHING
                """, arguments: [f.callSid, f.accountSid, f.startTime?.timeIntervalSince1970, t])
            let verdict = RecordingStatusVerdict(status: f.status, errorCode: f.errorCode)
            let current = try String.fetchOne(db, sql: "SELECT download_state FROM recordings WHERE sid = ?", arguments: [f.recordingSid])
            guard let current else {
                let state = verdict.state
                try db.execute(sql: """
                    INSERT INTO recordings(sid, call_sid, account_sid, status, duration_s, channels, source, error_code,
                        start_time, date_created, uri, track, download_state, last_error, updated_at, metadata_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [f.recordingSid, f.callSid, f.accountSid, f.status, f.durationS, f.channels, f.source,
                                     f.errorCode, f.startTime?.timeIntervalSince1970, f.startTime?.timeIntervalSince1970,
                                     f.uri, f.track, state.rawValue, verdict.reason, t, t])
                try Store.writeEncryption(f.encryption, status: f.status, errorCode: f.errorCode, recordingSid: f.recordingSid, now: now, db)  // #15
                return (try String.fetchOne(db, sql: "SELECT download_state FROM recordings WHERE sid = ?", arguments: [f.recordingSid]))
                    .flatMap(DownloadState.init(rawValue:)) ?? state
            }
            guard f.status != "in-progress" else { return DownloadState(rawValue: current) ?? .pending }
            try db.execute(sql: """
                UPDATE recordings SET status = ?, duration_s = COALESCE(?, duration_s), channels = COALESCE(?, channels),
                    source = COALESCE(?, source), error_code = COALESCE(?, error_code), track = COALESCE(?, track),
                    uri = COALESCE(uri, ?), call_sid = COALESCE(call_sid, ?), metadata_at = ?
                WHERE sid = ? AND status IS NOT 'absent'
                """, arguments: [f.status, f.durationS, f.channels, f.source, f.errorCode, f.track, f.uri, f.callSid, t, f.recordingSid])
            switch verdict.state {
            case .pending:
                // Twilio says the media is ready: stop waiting for the not-ready schedule.
                try db.execute(sql: """
                    UPDATE recordings SET download_state = 'pending', next_retry_at = NULL, not_ready_tries = 0,
                        not_ready_since = NULL, updated_at = ?
                    WHERE sid = ? AND download_state = 'not_ready'
                    """, arguments: [t, f.recordingSid])
            case .absent, .failed:
                try db.execute(sql: """
                    UPDATE recordings SET download_state = ?, last_error = ?, next_retry_at = NULL, updated_at = ?
                    WHERE sid = ? AND download_state NOT IN ('downloaded', 'downloading', 'absent')
                    """, arguments: [verdict.state.rawValue, verdict.reason, t, f.recordingSid])
            default:
                break
            }
            try Store.writeEncryption(f.encryption, status: f.status, errorCode: f.errorCode, recordingSid: f.recordingSid, now: now, db)  // #15
            let after = try String.fetchOne(db, sql: "SELECT download_state FROM recordings WHERE sid = ?", arguments: [f.recordingSid])
            return after.flatMap(DownloadState.init(rawValue:)) ?? .pending
        }
    }
}
