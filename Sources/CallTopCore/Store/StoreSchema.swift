import GRDB

/// Append-only migrations: one per change, never edited after it lands.
enum StoreSchema {
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1: calls, recordings, attempts, transcripts") { db in
            try db.execute(sql: """
                CREATE TABLE calls (
                    sid TEXT PRIMARY KEY NOT NULL,
                    account_sid TEXT,
                    parent_call_sid TEXT,
                    from_number TEXT NOT NULL DEFAULT '',
                    to_number TEXT NOT NULL DEFAULT '',
                    direction TEXT NOT NULL DEFAULT '',
                    status TEXT NOT NULL DEFAULT '',
                    start_time REAL,
                    end_time REAL,
                    date_created REAL,
                    duration_s INTEGER,
                    price TEXT,
                    price_unit TEXT,
                    synced_at REAL NOT NULL
                );
                CREATE INDEX calls_by_start ON calls(start_time DESC);

                CREATE TABLE recordings (
                    sid TEXT PRIMARY KEY NOT NULL,
                    call_sid TEXT,
                    account_sid TEXT,
                    status TEXT NOT NULL DEFAULT '',
                    duration_s INTEGER,
                    channels INTEGER,
                    source TEXT,
                    error_code INTEGER,
                    start_time REAL,
                    date_created REAL,
                    uri TEXT,
                    track TEXT,
                    download_state TEXT NOT NULL DEFAULT 'pending',
                    bytes INTEGER,
                    expected_bytes INTEGER,
                    path TEXT,
                    sha256 TEXT,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    transient_failures INTEGER NOT NULL DEFAULT 0,
                    not_ready_tries INTEGER NOT NULL DEFAULT 0,
                    not_ready_since REAL,
                    last_error TEXT,
                    next_retry_at REAL,
                    updated_at REAL NOT NULL
                );
                CREATE INDEX recordings_by_call ON recordings(call_sid, date_created);
                CREATE INDEX recordings_by_state ON recordings(download_state, next_retry_at);

                CREATE TABLE download_attempts (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    recording_sid TEXT NOT NULL,
                    started_at REAL NOT NULL,
                    http_status INTEGER,
                    twilio_code INTEGER,
                    bytes INTEGER NOT NULL DEFAULT 0,
                    duration_ms INTEGER NOT NULL DEFAULT 0,
                    error TEXT
                );
                CREATE INDEX attempts_by_recording ON download_attempts(recording_sid, id);

                -- One offline transcript per call (replaced only by a newer success)
                -- and realtime transcripts per call and origin.
                CREATE TABLE transcripts (
                    call_sid TEXT NOT NULL,
                    source TEXT NOT NULL,
                    origin TEXT NOT NULL DEFAULT '',
                    text TEXT NOT NULL DEFAULT '',
                    engine TEXT,
                    model TEXT,
                    model_sha256 TEXT,
                    audio_sha256 TEXT,
                    recording_sid TEXT,
                    settings TEXT,
                    segments TEXT,
                    audio_seconds REAL,
                    processing_seconds REAL,
                    created_at REAL NOT NULL,
                    PRIMARY KEY (call_sid, source, origin)
                );

                -- The offline transcription's life for a call: pending, running, failed, done.
                CREATE TABLE transcription_jobs (
                    call_sid TEXT PRIMARY KEY NOT NULL,
                    state TEXT NOT NULL,
                    error TEXT,
                    updated_at REAL NOT NULL
                );

                CREATE TABLE sync_marks (
                    name TEXT PRIMARY KEY NOT NULL,
                    value REAL NOT NULL
                );
                """)
        }
        m.registerMigration("v2: webhooks: realtime segments, settlements, outbox, cross-checks") { db in
            try db.execute(sql: """
                -- Final segments of Twilio real-time transcription, one per
                -- (session, track, sequence): duplicates and retries collapse.
                CREATE TABLE realtime_segments (
                    call_sid TEXT NOT NULL,
                    transcription_sid TEXT NOT NULL DEFAULT '',
                    track TEXT NOT NULL DEFAULT '',
                    sequence_id INTEGER NOT NULL,
                    text TEXT NOT NULL,
                    received_at REAL NOT NULL,
                    PRIMARY KEY (call_sid, transcription_sid, track, sequence_id)
                );

                -- One row per call whose recording completed while `serve` ran:
                -- the wait window for the offline transcript and what was delivered.
                CREATE TABLE webhook_settlements (
                    call_sid TEXT PRIMARY KEY NOT NULL,
                    recording_sid TEXT,
                    completed_at REAL NOT NULL,
                    checks_done INTEGER NOT NULL DEFAULT 0,
                    next_check_at REAL,
                    delivered_version INTEGER NOT NULL DEFAULT 0,
                    delivered_source TEXT
                );
                CREATE INDEX settlements_by_check ON webhook_settlements(next_check_at);

                -- Outbound deliveries: one row per (call, version), kept until acknowledged.
                CREATE TABLE webhook_outbox (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    call_sid TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    source TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    state TEXT NOT NULL DEFAULT 'pending',
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at REAL NOT NULL,
                    last_error TEXT,
                    created_at REAL NOT NULL,
                    delivered_at REAL,
                    UNIQUE (call_sid, version)
                );
                CREATE INDEX outbox_by_due ON webhook_outbox(state, next_attempt_at);

                -- Word-level disagreement between a call's offline and realtime transcripts.
                CREATE TABLE transcript_crosschecks (
                    call_sid TEXT PRIMARY KEY NOT NULL,
                    disagreement REAL NOT NULL,
                    offline_words INTEGER NOT NULL,
                    realtime_words INTEGER NOT NULL,
                    suspect INTEGER NOT NULL,
                    checked_at REAL NOT NULL
                );
                """)
        }
        m.registerMigration("v3: list order index") { db in
            // The list sorts by start time then SID: with both in one index, the
            // first page is read off the index instead of sorting every call.
            try db.execute(sql: "CREATE INDEX calls_by_start_sid ON calls(start_time DESC, sid DESC)")
        }
        Store.registerEncryptionMigration(&m)  // #15; keep last
        return m
    }
}
