import Foundation
import GRDB

/// An offline transcript as stored, with its provenance.
public struct StoredOfflineTranscript: Sendable, Equatable {
    public var callSid: String
    public var recordingSid: String?
    public var transcript: OfflineTranscript
    public var createdAt: Date
}

/// A realtime transcript as stored: where it came from and when.
public struct StoredRealtimeTranscript: Sendable, Equatable {
    public var callSid: String
    public var origin: String
    public var text: String
    public var createdAt: Date
}

extension Store {
    // MARK: Offline transcription

    /// Stores a successful transcription; it replaces the previous one only now
    /// that it succeeded, and marks the job done (or empty: no speech).
    public func saveOfflineTranscript(_ t: OfflineTranscript, callSid: String, recordingSid: String?, now: Date) throws {
        try db.write { db in try Self.writeOfflineTranscript(db, t, callSid: callSid, recordingSid: recordingSid, now: now) }
    }

    static func writeOfflineTranscript(_ db: Database, _ t: OfflineTranscript, callSid: String, recordingSid: String?, now: Date) throws {
        try db.execute(sql: """
            INSERT INTO transcripts(call_sid, source, origin, text, engine, model, model_sha256, audio_sha256, recording_sid,
                                    settings, segments, audio_seconds, processing_seconds, created_at)
            VALUES (?, 'offline', '', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(call_sid, source, origin) DO UPDATE SET
                text = excluded.text, engine = excluded.engine, model = excluded.model, model_sha256 = excluded.model_sha256,
                audio_sha256 = excluded.audio_sha256, recording_sid = excluded.recording_sid, settings = excluded.settings,
                segments = excluded.segments, audio_seconds = excluded.audio_seconds,
                processing_seconds = excluded.processing_seconds, created_at = excluded.created_at
            """, arguments: [callSid, t.text.trimmingCharacters(in: .whitespacesAndNewlines), t.engine, t.model, t.modelSHA256,
                             t.audioSHA256, recordingSid, t.settingsJSON, t.segmentsJSON(), t.audioSeconds,
                             t.processingSeconds, now.timeIntervalSince1970])
        try Self.setJob(db, callSid: callSid, state: t.isEmpty ? .empty : .done, error: nil, now: now)
    }

    /// Records where a call's offline transcription stands: pending, running or failed.
    /// A failure leaves any earlier transcript in place.
    public func setTranscriptionJob(_ callSid: String, state: TranscriptionJobState, error: String? = nil, now: Date) throws {
        try db.write { db in try Self.setJob(db, callSid: callSid, state: state, error: error, now: now) }
    }

    static func setJob(_ db: Database, callSid: String, state: TranscriptionJobState, error: String?, now: Date) throws {
        try db.execute(sql: """
            INSERT INTO transcription_jobs(call_sid, state, error, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT(call_sid) DO UPDATE SET state = excluded.state, error = excluded.error, updated_at = excluded.updated_at,
                lease_owner = NULL, lease_expires_at = NULL
            """, arguments: [callSid, state.rawValue, error, now.timeIntervalSince1970])
    }

    public func offlineTranscript(_ callSid: String) throws -> StoredOfflineTranscript? {
        try db.read { db in try Self.offlineTranscript(db, callSid) }
    }

    static func offlineTranscript(_ db: Database, _ callSid: String) throws -> StoredOfflineTranscript? {
        guard let row = try TranscriptRecord.fetchOne(db, key: ["call_sid": callSid, "source": TranscriptSource.offline.rawValue, "origin": ""])
        else { return nil }
        let segments: [TranscriptSegment]
        do {
            segments = try row.segments.map { try JSONDecoder().decode([TranscriptSegment].self, from: Data($0.utf8)) } ?? []
        } catch {
            // Segments are detail for the viewer: a transcript written by a build with another segment shape still counts.
            segments = []
        }
        let t = OfflineTranscript(text: row.text, segments: segments, language: "", audioSHA256: row.audioSha256 ?? "",
                                  model: row.model ?? "", modelSHA256: row.modelSha256 ?? "", engine: row.engine ?? "",
                                  settingsJSON: row.settings ?? "{}", audioSeconds: row.audioSeconds ?? 0,
                                  processingSeconds: row.processingSeconds ?? 0)
        return StoredOfflineTranscript(callSid: callSid, recordingSid: row.recordingSid, transcript: t, createdAt: row.createdAt)
    }

    /// The policy's view of a call's offline transcription.
    public func offlineState(_ callSid: String) throws -> OfflineTranscriptState {
        try db.read { db in try Self.offlineState(db, callSid, transcript: try Self.offlineTranscript(db, callSid)) }
    }

    static func offlineState(_ db: Database, _ callSid: String, transcript: StoredOfflineTranscript?) throws -> OfflineTranscriptState {
        if let transcript, !transcript.transcript.isEmpty { return .done(text: transcript.transcript.text) }
        let job = try TranscriptionJobRecord.fetchOne(db, key: callSid)
        switch job?.state {
        case .running: return .running
        case .failed: return .failed(reason: job?.error ?? "unknown error")
        case .empty: return .empty
        case .pending, .done, nil:
            let recordings = try recordings(db, ofCall: callSid)
            return recordings.contains { $0.downloadState != .absent && $0.downloadState != .failed } ? .pending : .noRecording
        }
    }

    // MARK: Realtime transcripts

    /// Stores a realtime transcript for a call, one per origin (e.g. `twilio`, `agent`, `import`).
    /// Trimmed as the offline one is, so SQL's "non-empty" and the policy's agree.
    public func saveRealtimeTranscript(_ text: String, callSid: String, origin: String, now: Date) throws {
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        try db.write { db in
            try db.execute(sql: """
                INSERT INTO transcripts(call_sid, source, origin, text, engine, created_at) VALUES (?, 'realtime', ?, ?, ?, ?)
                ON CONFLICT(call_sid, source, origin) DO UPDATE SET text = excluded.text, created_at = excluded.created_at
                """, arguments: [callSid, origin, text, origin, now.timeIntervalSince1970])
        }
    }

    /// The newest non-empty realtime transcript of a call.
    public func realtimeTranscript(_ callSid: String) throws -> StoredRealtimeTranscript? {
        try db.read { db in try Self.realtimeTranscript(db, callSid) }
    }

    static func realtimeTranscript(_ db: Database, _ callSid: String) throws -> StoredRealtimeTranscript? {
        try TranscriptRecord.filter(Column("call_sid") == callSid && Column("source") == TranscriptSource.realtime)
            .filter(sql: "TRIM(text) != ''").order(Column("created_at").desc).fetchOne(db)
            .map { StoredRealtimeTranscript(callSid: callSid, origin: $0.origin, text: $0.text, createdAt: $0.createdAt) }
    }

    /// The transcript that counts for a call, chosen by `TranscriptPolicy`.
    public func authoritativeTranscript(_ callSid: String) throws -> AuthoritativeTranscript? {
        try db.read { db in try Self.authoritativeTranscript(db, callSid) }
    }

    static func authoritativeTranscript(_ db: Database, _ callSid: String) throws -> AuthoritativeTranscript {
        let stored = try offlineTranscript(db, callSid)
        let realtime = try realtimeTranscript(db, callSid)
        let choice = TranscriptPolicy.choose(offline: try offlineState(db, callSid, transcript: stored), realtime: realtime?.text)
        switch choice.source {
        case .offline:
            return AuthoritativeTranscript(source: .offline, reason: choice.reason, text: choice.text,
                                           engine: stored.map { "\($0.transcript.engine) \($0.transcript.model)" }, createdAt: stored?.createdAt)
        case .realtime:
            return AuthoritativeTranscript(source: .realtime, reason: choice.reason, text: choice.text, engine: realtime?.origin, createdAt: realtime?.createdAt)
        case .none:
            return AuthoritativeTranscript(source: .none, reason: choice.reason, text: "")
        }
    }
}
