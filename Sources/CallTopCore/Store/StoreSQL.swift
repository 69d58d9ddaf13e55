/// SQL that both engines run as written (SQLite and PostgreSQL, `?` for each
/// value; the PostgreSQL engine numbers them). One text per decision, so the
/// two engines cannot drift apart; what only one engine can say lives with it.
/// Argument order is given where it is not obvious.
enum StoreSQL {
    // MARK: Calls and recordings

    /// sid, account_sid, parent_call_sid, from, to, direction, status, start, end, created, duration, price, unit, synced_at.
    static let upsertCall = """
        INSERT INTO calls(sid, account_sid, parent_call_sid, from_number, to_number, direction, status,
                          start_time, end_time, date_created, duration_s, price, price_unit, synced_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(sid) DO UPDATE SET
            account_sid = excluded.account_sid, parent_call_sid = excluded.parent_call_sid,
            from_number = excluded.from_number, to_number = excluded.to_number,
            direction = excluded.direction, status = excluded.status,
            start_time = excluded.start_time, end_time = excluded.end_time,
            date_created = excluded.date_created, duration_s = excluded.duration_s,
            price = excluded.price, price_unit = excluded.price_unit, synced_at = excluded.synced_at
        WHERE calls.status IS DISTINCT FROM excluded.status OR calls.end_time IS DISTINCT FROM excluded.end_time
           OR calls.duration_s IS DISTINCT FROM excluded.duration_s OR calls.price IS DISTINCT FROM excluded.price
        """

    /// Sync's refresh of a known recording: call, account, status, duration, channels, source, error,
    /// start, created, uri, track, metadata_at, sid.
    static let refreshSyncedRecording = """
        UPDATE recordings SET call_sid = COALESCE(?, call_sid), account_sid = COALESCE(?, account_sid),
            status = ?, duration_s = ?, channels = ?, source = ?, error_code = ?, start_time = ?,
            date_created = ?, uri = COALESCE(?, uri), track = COALESCE(?, track), metadata_at = ?
        WHERE sid = ?
        """

    /// Twilio's final news (absent, failed, deleted) about a recording not in hand: state, reason, now, sid.
    static let applyFinalVerdict = """
        UPDATE recordings SET download_state = ?, last_error = ?, next_retry_at = NULL, updated_at = ?
        WHERE sid = ? AND download_state NOT IN ('downloaded', 'downloading')
        """

    /// A recording seen for the first time, in the state its status gives it.
    static let insertRecording = """
        INSERT INTO recordings(sid, call_sid, account_sid, status, duration_s, channels, source, error_code, start_time,
                               date_created, uri, track, download_state, last_error, next_retry_at, updated_at, metadata_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(sid) DO NOTHING
        """

    /// Metadata fetched during a download: status, duration, channels, error, uri, call, start, metadata_at, sid.
    static let refreshFetchedRecording = """
        UPDATE recordings SET status = ?, duration_s = COALESCE(?, duration_s), channels = COALESCE(?, channels),
            error_code = ?, uri = COALESCE(?, uri), call_sid = COALESCE(call_sid, ?), start_time = COALESCE(?, start_time),
            metadata_at = ?
        WHERE sid = ?
        """

    /// type, public_key_sid, encrypted_cek, iv, sid.
    static let writeEncryptionDetails = """
        UPDATE recordings SET encryption_type = ?, public_key_sid = ?, encrypted_cek = ?, encryption_iv = ? WHERE sid = ?
        """

    /// A downloaded file that no longer matches: reason, now, sid.
    static let markFileProblem = """
        UPDATE recordings SET download_state = 'failed', last_error = ?, updated_at = ?
        WHERE sid = ? AND download_state = 'downloaded'
        """

    /// A user's retry: now, sid.
    static let resetForRetry = """
        UPDATE recordings SET download_state = 'pending', transient_failures = 0, not_ready_tries = 0,
            not_ready_since = NULL, next_retry_at = NULL, updated_at = ?
        WHERE sid = ? AND download_state IN ('failed', 'retrying', 'not_ready', 'pending')
        """

    /// An attempt's outcome: state, transient, not_ready_tries, not_ready_since, error, next_retry, expected, now, sid.
    static let recordAttemptOutcome = """
        UPDATE recordings SET download_state = ?, attempts = attempts + 1, transient_failures = ?,
            not_ready_tries = ?, not_ready_since = ?, last_error = ?, next_retry_at = ?,
            expected_bytes = COALESCE(?, expected_bytes), updated_at = ?, lease_owner = NULL, lease_expires_at = NULL
        WHERE sid = ?
        """

    static let recordSavedFile = "UPDATE recordings SET bytes = ?, path = ?, sha256 = ? WHERE sid = ?"

    /// recording, holder (`host:data dir`), now.
    static let recordCopy = """
        INSERT INTO recording_copies(recording_sid, holder, copied_at) VALUES (?, ?, ?)
        ON CONFLICT(recording_sid, holder) DO UPDATE SET copied_at = excluded.copied_at
        """

    static let insertAttempt = """
        INSERT INTO download_attempts(recording_sid, started_at, http_status, twilio_code, bytes, duration_ms, error)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        """

    // MARK: Claims

    /// A recording that may be claimed now. Arguments: now, now.
    static let claimable = """
        (download_state = 'pending'
         OR (download_state IN ('retrying', 'not_ready') AND COALESCE(next_retry_at, 0) <= ?)
         OR (download_state = 'downloading' AND COALESCE(lease_expires_at, 0) < ?))
        """

    /// Recordings the downloader should try now. Arguments: now, now.
    static let dueRecordings = "SELECT sid FROM recordings WHERE \(claimable) ORDER BY COALESCE(date_created, 0) DESC"

    /// owner, lease expiry, now, sid, now, now.
    static let claimDownload = """
        UPDATE recordings SET download_state = 'downloading', lease_owner = ?, lease_expires_at = ?, updated_at = ?
        WHERE sid = ? AND \(claimable)
        """

    /// Claims up to `limit` due recordings at once, newest first: owner, lease expiry, now, now, now, limit.
    /// `skipLocked` is the engine's: PostgreSQL skips rows another worker is claiming
    /// this instant instead of waiting for it; SQLite has one writer at a time anyway.
    static func claimDueDownloads(skipLocked: String) -> String {
        """
        UPDATE recordings SET download_state = 'downloading', lease_owner = ?, lease_expires_at = ?, updated_at = ?
        WHERE sid IN (SELECT sid FROM recordings WHERE \(claimable) ORDER BY COALESCE(date_created, 0) DESC LIMIT ?\(skipLocked))
        RETURNING sid
        """
    }

    /// until, owner, key: one job's lease, renewed only by its holder while it works on it.
    static let renewDownloadLease = "UPDATE recordings SET lease_expires_at = ? WHERE lease_owner = ? AND sid = ? AND download_state = 'downloading'"
    static let renewTranscriptionLease = "UPDATE transcription_jobs SET lease_expires_at = ? WHERE lease_owner = ? AND call_sid = ? AND state = 'running'"

    /// The tables whose rows are claimed under a lease, and how each names its running state.
    static let claimTables: [(table: String, key: String, stateColumn: String, running: String)] = [
        ("recordings", "sid", "download_state", DownloadState.downloading.rawValue),
        ("transcription_jobs", "call_sid", "state", TranscriptionJobState.running.rawValue),
    ]

    /// One claimed table's running rows and their leases. Argument: the running state.
    static func heldClaims(_ claim: (table: String, key: String, stateColumn: String, running: String)) -> String {
        "SELECT \(claim.key) AS id, lease_owner, lease_expires_at FROM \(claim.table) WHERE \(claim.stateColumn) = ?"
    }

    /// Puts one abandoned claim back, only if it is still the claim judged abandoned (another worker
    /// may have taken it over meanwhile). Arguments: now, key, running state, owner read, expiry read.
    static func reclaim(_ claim: (table: String, key: String, stateColumn: String, running: String)) -> String {
        """
        UPDATE \(claim.table) SET \(claim.stateColumn) = 'pending', lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
        WHERE \(claim.key) = ? AND \(claim.stateColumn) = ?
          AND lease_owner IS NOT DISTINCT FROM ? AND lease_expires_at IS NOT DISTINCT FROM ?
        """
    }

    /// Hands back every claim of one owner. Arguments: now, owner, running state.
    static func handBack(_ claim: (table: String, key: String, stateColumn: String, running: String)) -> String {
        """
        UPDATE \(claim.table) SET \(claim.stateColumn) = 'pending', lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
        WHERE lease_owner = ? AND \(claim.stateColumn) = ?
        """
    }

    // MARK: Transcription jobs

    /// A call's primary recording (the earliest), as SQL over the alias `j.call_sid`.
    static let primaryRecordingState = """
        (SELECT p.download_state FROM recordings p WHERE p.call_sid = j.call_sid ORDER BY COALESCE(p.date_created, 0), p.sid LIMIT 1)
        """

    /// Argument: now, then one per call SID when `calls` is given (a worker's own downloads: a
    /// look at those calls' rows only; nil sweeps every recording in the store).
    static func enqueueDownloadedForTranscription(calls: Int?) -> String {
        let only = calls.map { n in " AND j.call_sid IN (\(Array(repeating: "?", count: n).joined(separator: ", ")))" } ?? ""
        return """
        INSERT INTO transcription_jobs(call_sid, state, error, updated_at)
        SELECT DISTINCT j.call_sid, 'pending', NULL, ? FROM recordings j
        WHERE j.call_sid IS NOT NULL\(only) AND \(primaryRecordingState) = 'downloaded'
          AND NOT EXISTS (SELECT 1 FROM transcription_jobs t WHERE t.call_sid = j.call_sid)
          AND NOT EXISTS (SELECT 1 FROM transcripts o WHERE o.call_sid = j.call_sid AND o.source = 'offline' AND TRIM(o.text) != '')
        ON CONFLICT(call_sid) DO NOTHING
        """
    }

    /// Arguments: now, limit.
    static let claimableTranscriptions = """
        SELECT j.call_sid FROM transcription_jobs j
        WHERE (j.state = 'pending' OR (j.state = 'running' AND COALESCE(j.lease_expires_at, 0) < ?))
          AND \(primaryRecordingState) IN ('downloaded', 'failed', 'absent')
        ORDER BY j.updated_at, j.call_sid LIMIT ?
        """

    /// Arguments: call, now, owner, lease expiry, now. What a job in each state yields to: `TranscriptionClaimRule`.
    static func claimTranscriptionJob(_ rule: TranscriptionClaimRule) -> String {
        let free = switch rule {
        case .queuedOnly: "transcription_jobs.state = 'pending'"
        case .unlessFinished: "transcription_jobs.state NOT IN ('running', 'done', 'empty')"
        case .always: "transcription_jobs.state != 'running'"
        }
        return """
            INSERT INTO transcription_jobs(call_sid, state, error, updated_at, lease_owner, lease_expires_at, fence)
            VALUES (?, 'running', NULL, ?, ?, ?, 1)
            ON CONFLICT(call_sid) DO UPDATE SET state = 'running', error = NULL, updated_at = excluded.updated_at,
                lease_owner = excluded.lease_owner, lease_expires_at = excluded.lease_expires_at,
                fence = transcription_jobs.fence + 1
            WHERE \(free) OR (transcription_jobs.state = 'running' AND COALESCE(transcription_jobs.lease_expires_at, 0) < ?)
            """
    }

    /// The claim still holds, checked by writing: on PostgreSQL the row then stays locked until the
    /// transaction ends, so no one takes the job over between the check and the result. Arguments: now, call, owner, fence.
    static let holdsTranscription = """
        UPDATE transcription_jobs SET updated_at = ? WHERE call_sid = ? AND state = 'running' AND lease_owner = ? AND fence = ?
        """

    /// A download's result may be written: its claim holds, or no one claimed it and no one finished it
    /// (checked by writing, as above). Arguments: now, sid, owner.
    static let mayRecordDownload = """
        UPDATE recordings SET updated_at = ?
        WHERE sid = ? AND (lease_owner = ? OR (lease_owner IS NULL AND download_state != 'downloaded'))
        """

    /// A person asking for a transcription in team mode: queued for the workers, unless one is running it. Arguments: call, now.
    static let queueTranscription = """
        INSERT INTO transcription_jobs(call_sid, state, error, updated_at) VALUES (?, 'pending', NULL, ?)
        ON CONFLICT(call_sid) DO UPDATE SET state = 'pending', error = NULL, updated_at = excluded.updated_at,
            lease_owner = NULL, lease_expires_at = NULL
        WHERE transcription_jobs.state != 'running'
        """

    /// A claimed transcription given back untried (its file could not be copied here): now, call, owner, fence.
    static let handBackTranscription = """
        UPDATE transcription_jobs SET state = 'pending', lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
        WHERE call_sid = ? AND state = 'running' AND lease_owner = ? AND fence = ?
        """

    /// call, state, error, now.
    static let setTranscriptionJob = """
        INSERT INTO transcription_jobs(call_sid, state, error, updated_at) VALUES (?, ?, ?, ?)
        ON CONFLICT(call_sid) DO UPDATE SET state = excluded.state, error = excluded.error, updated_at = excluded.updated_at,
            lease_owner = NULL, lease_expires_at = NULL
        """

    // MARK: Transcripts

    /// call, text, engine, model, model hash, audio hash, recording, settings, segments, audio s, processing s, now.
    static let upsertOfflineTranscript = """
        INSERT INTO transcripts(call_sid, source, origin, text, engine, model, model_sha256, audio_sha256, recording_sid,
                                settings, segments, audio_seconds, processing_seconds, created_at)
        VALUES (?, 'offline', '', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(call_sid, source, origin) DO UPDATE SET
            text = excluded.text, engine = excluded.engine, model = excluded.model, model_sha256 = excluded.model_sha256,
            audio_sha256 = excluded.audio_sha256, recording_sid = excluded.recording_sid, settings = excluded.settings,
            segments = excluded.segments, audio_seconds = excluded.audio_seconds,
            processing_seconds = excluded.processing_seconds, created_at = excluded.created_at
        """

    /// call, origin, text, engine (the origin), now.
    static let upsertRealtimeTranscript = """
        INSERT INTO transcripts(call_sid, source, origin, text, engine, created_at) VALUES (?, 'realtime', ?, ?, ?, ?)
        ON CONFLICT(call_sid, source, origin) DO UPDATE SET text = excluded.text, created_at = excluded.created_at
        """

    // MARK: Workers and named leases

    /// Takes a worker name: name, owner, host, pid, version, started, now, download slots, transcription slots,
    /// then the takeover test: stale before (heartbeat older than a lease), the owner judged gone ('' if none).
    /// A live owner's row is left alone (0 rows): two workers starting under one name cannot both win.
    static let registerWorker = """
        INSERT INTO workers(name, owner, host, pid, version, started_at, heartbeat_at, state,
            download_slots, transcription_slots, jobs_running, jobs_done, failures, stopped_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, 0, 0, 0, NULL)
        ON CONFLICT(name) DO UPDATE SET owner = excluded.owner, host = excluded.host, pid = excluded.pid,
            version = excluded.version, started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at, state = 'running',
            download_slots = excluded.download_slots, transcription_slots = excluded.transcription_slots,
            jobs_running = 0, jobs_done = 0, failures = 0, stopped_at = NULL
        WHERE workers.owner = excluded.owner OR workers.state = 'stopped' OR workers.heartbeat_at < ? OR workers.owner = ?
        """

    /// now, running, done, failures, name, owner.
    static let workerHeartbeat = """
        UPDATE workers SET heartbeat_at = ?, jobs_running = ?, jobs_done = ?, failures = ? WHERE name = ? AND owner = ?
        """

    /// now, now, done, failures, name, owner.
    static let markWorkerStopped = """
        UPDATE workers SET state = 'stopped', stopped_at = ?, heartbeat_at = ?, jobs_running = 0, jobs_done = ?, failures = ?
        WHERE name = ? AND owner = ?
        """

    /// name, owner, now, until, now.
    static let holdLease = """
        INSERT INTO leases(name, owner, acquired_at, expires_at) VALUES (?, ?, ?, ?)
        ON CONFLICT(name) DO UPDATE SET
            acquired_at = CASE WHEN leases.owner = excluded.owner THEN leases.acquired_at ELSE excluded.acquired_at END,
            owner = excluded.owner, expires_at = excluded.expires_at
        WHERE leases.owner = excluded.owner OR leases.expires_at < ?
        """

    static let releaseLease = "DELETE FROM leases WHERE name = ? AND owner = ?"

    // MARK: Sync bookkeeping

    /// name, phase, page, window start, now, now.
    static let setSyncCursor = """
        INSERT INTO sync_cursor(name, phase, page_uri, window_start, started_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT(name) DO UPDATE SET phase = excluded.phase, page_uri = excluded.page_uri,
            window_start = excluded.window_start, updated_at = excluded.updated_at
        """

    static let setSyncMark = """
        INSERT INTO sync_marks(name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value
        """

    // MARK: The list

    /// SQL that ranks a recording's `download_state` as `DownloadState.byAttention` does:
    /// derived from the Swift order, so the two cannot drift apart.
    static let attentionRank = "CASE download_state "
        + DownloadState.byAttention.enumerated().map { "WHEN '\($0.element.rawValue)' THEN \($0.offset) " }.joined()
        + "ELSE \(DownloadState.byAttention.count) END"

    /// The row query behind `list` and the dashboard: each call with its
    /// primary (earliest) recording and a summary of the transcript that
    /// counts (any non-empty offline transcript wins). Read by position (`CallRow(listRow:)`).
    static let callRows = """
        SELECT c.sid, c.from_number, c.to_number, c.direction, c.status, c.start_time, c.duration_s,
               r.sid, (SELECT download_state FROM recordings WHERE call_sid = c.sid ORDER BY \(attentionRank) LIMIT 1),
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

    /// Newest first; a call whose start is unknown (a callback came before sync) last,
    /// on both engines (PostgreSQL would put it first). SQLite still reads it off its index.
    static let callRowsOrder = " ORDER BY c.start_time DESC NULLS LAST, c.sid DESC"

    // MARK: Operations

    /// Jobs by kind and state, for `/metrics`.
    static let jobCounts = [
        ("download", "SELECT download_state AS state, COUNT(*) AS n FROM recordings GROUP BY download_state"),
        ("transcription", "SELECT state, COUNT(*) AS n FROM transcription_jobs GROUP BY state"),
        ("delivery", "SELECT state, COUNT(*) AS n FROM webhook_outbox GROUP BY state"),
    ]

    static let oldestPending = """
        SELECT MIN(t) FROM (
            SELECT MIN(updated_at) AS t FROM recordings WHERE download_state IN ('pending', 'retrying', 'not_ready')
            UNION ALL SELECT MIN(updated_at) FROM transcription_jobs WHERE state = 'pending'
            UNION ALL SELECT MIN(created_at) FROM webhook_outbox WHERE state = 'pending') AS waiting
        """
}
