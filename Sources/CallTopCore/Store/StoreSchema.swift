import GRDB

/// Append-only migrations: one per change, never edited after it lands.
enum StoreSchema {
    /// Runs every migration not yet applied, all in one EXCLUSIVE transaction:
    /// several processes opening a new store at once see either no schema or
    /// all of it. (GRDB's own migrator reads what was applied outside any
    /// transaction, so two first opens could both create the tables.) The
    /// applied names live in `grdb_migrations`, as GRDB keeps them, so stores
    /// made by earlier versions carry on.
    static func migrate(_ writer: some DatabaseWriter) throws {
        try writer.barrierWriteWithoutTransaction { db in
            try db.inTransaction(.exclusive) {
                try db.execute(sql: "CREATE TABLE IF NOT EXISTS grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
                let applied = Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
                let known = Set(migrations.map(\.name))
                if let newer = applied.subtracting(known).sorted().first {
                    throw StoreError.schemaTooNew(newer)
                }
                for migration in migrations where !applied.contains(migration.name) {
                    try migration.apply(db)
                    try db.execute(sql: "INSERT INTO grdb_migrations(identifier) VALUES (?)", arguments: [migration.name])
                }
                return .commit
            }
        }
    }

    struct Migration {
        var name: String
        var apply: (Database) throws -> Void
    }

    static var migrations: [Migration] {
        var list: [Migration] = []
        func register(_ name: String, _ apply: @escaping (Database) throws -> Void) {
            list.append(Migration(name: name, apply: apply))
        }
        register("v1: calls, recordings, attempts, transcripts") { db in
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
        register("v2: webhooks: realtime segments, settlements, outbox, cross-checks") { db in
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
        register("v3: list order index") { db in
            // The list sorts by start time then SID: with both in one index, the
            // first page is read off the index instead of sorting every call.
            try db.execute(sql: "CREATE INDEX calls_by_start_sid ON calls(start_time DESC, sid DESC)")
        }
        register("v4: file names assigned once, leases, sync cursor and rejects") { db in
            try db.execute(sql: """
                -- The name a recording's file has under the data dir, assigned at
                -- its first download and never given to another recording.
                ALTER TABLE recordings ADD COLUMN file_name TEXT;
                UPDATE recordings SET file_name = path WHERE path IS NOT NULL;
                CREATE UNIQUE INDEX recordings_by_file_name ON recordings(file_name) WHERE file_name IS NOT NULL;

                -- Who is working on a claimed download or transcription, and until
                -- when: only an expired lease may be taken over.
                ALTER TABLE recordings ADD COLUMN lease_owner TEXT;
                ALTER TABLE recordings ADD COLUMN lease_expires_at REAL;
                ALTER TABLE transcription_jobs ADD COLUMN lease_owner TEXT;
                ALTER TABLE transcription_jobs ADD COLUMN lease_expires_at REAL;

                -- Where an interrupted sync goes on from: the failed page's URI.
                CREATE TABLE sync_cursor (
                    name TEXT PRIMARY KEY NOT NULL,
                    phase TEXT NOT NULL,
                    page_uri TEXT NOT NULL,
                    window_start TEXT,
                    started_at REAL NOT NULL,
                    updated_at REAL NOT NULL
                );

                -- List items Twilio sent that could not be read, kept with the reason.
                CREATE TABLE sync_rejects (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    page_uri TEXT NOT NULL,
                    item_index INTEGER NOT NULL,
                    reason TEXT NOT NULL,
                    item TEXT NOT NULL,
                    seen_at REAL NOT NULL
                );
                """)
        }
        register("v5: when a recording's metadata was last seen") { db in
            // A recording Twilio called completed minutes ago needs no second metadata GET before its media.
            try db.execute(sql: "ALTER TABLE recordings ADD COLUMN metadata_at REAL")
        }
        register("v6: encryption details (#15)", Store.encryptionMigration)
        register("v7: workers, named leases, transcription fences", Store.workerMigration)
        register("v8: outbox claims, recording copies (team mode)") { db in
            try db.execute(sql: """
                -- A delivery being sent is claimed, so two serve processes never send it at once.
                ALTER TABLE webhook_outbox ADD COLUMN lease_owner TEXT;
                ALTER TABLE webhook_outbox ADD COLUMN lease_expires_at REAL;

                -- Which machines (host and data dir) hold a verified copy of a recording's file.
                CREATE TABLE recording_copies (
                    recording_sid TEXT NOT NULL,
                    holder TEXT NOT NULL,
                    copied_at REAL NOT NULL,
                    PRIMARY KEY (recording_sid, holder)
                );
                """)
        }
        return list
    }
}

public enum StoreError: Error, CustomStringConvertible, Equatable {
    case schemaTooNew(String)

    public var description: String {
        switch self {
        case .schemaTooNew(let name):
            return "the store was written by a newer calltop (it has migration \"\(name)\", which this binary does not know): upgrade calltop"
        }
    }
}
