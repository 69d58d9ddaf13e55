import Foundation

/// Transcriptions as jobs (queued, claimed under a lease with a fencing
/// counter, finished only under the fence they were claimed with) and the
/// transcripts themselves.
extension StoreTransactions {
    // MARK: Jobs

    static func enqueueDownloadedForTranscription(_ db: some SQLExecutor, now: Date, calls: [String]?) throws -> Int {
        guard let calls else { return try db.execute(StoreSQL.enqueueDownloadedForTranscription(calls: nil), [now]) }
        var queued = 0
        for start in stride(from: 0, to: calls.count, by: 500) {
            let chunk = Array(calls[start..<min(start + 500, calls.count)])
            queued += try db.execute(StoreSQL.enqueueDownloadedForTranscription(calls: chunk.count), [now as any SQLBindable] + chunk)
        }
        return queued
    }

    static func claimableTranscriptions(_ db: some SQLExecutor, now: Date, limit: Int) throws -> [String] {
        try db.query(StoreSQL.claimableTranscriptions, [now, max(0, limit)]).compactMap { $0[0].string }
    }

    static func claimTranscriptionJob(_ db: some SQLExecutor, _ callSid: String, owner: LeaseOwner, lease: LeaseTerms, now: Date,
                                      rule: TranscriptionClaimRule) throws -> TranscriptionClaim? {
        let t = now.timeIntervalSince1970
        guard try db.execute(StoreSQL.claimTranscriptionJob(rule),
                             [callSid, t, owner.description, t + lease.duration, t]) > 0,
              let fence = try db.scalar("SELECT fence FROM transcription_jobs WHERE call_sid = ?", [callSid]).int
        else { return nil }
        return TranscriptionClaim(callSid: callSid, fence: fence)
    }

    static func holds(_ db: some SQLExecutor, _ claim: TranscriptionClaim, owner: LeaseOwner, now: Date) throws -> Bool {
        try db.execute(StoreSQL.holdsTranscription, [now, claim.callSid, owner.description, claim.fence]) > 0
    }

    /// Gives a claimed job back untried, fenced like a result: it is queued again for any worker.
    static func handBackTranscription(_ db: some SQLExecutor, _ claim: TranscriptionClaim, owner: LeaseOwner, now: Date) throws -> Bool {
        try db.execute(StoreSQL.handBackTranscription, [now, claim.callSid, owner.description, claim.fence]) > 0
    }

    static func saveOfflineTranscript(_ db: some SQLExecutor, _ t: OfflineTranscript, claim: TranscriptionClaim, owner: LeaseOwner,
                                      recordingSid: String?, now: Date) throws -> Bool {
        guard try holds(db, claim, owner: owner, now: now) else { return false }
        try writeOfflineTranscript(db, t, callSid: claim.callSid, recordingSid: recordingSid, now: now)
        return true
    }

    static func failTranscription(_ db: some SQLExecutor, _ claim: TranscriptionClaim, owner: LeaseOwner, error: String, now: Date) throws -> Bool {
        guard try holds(db, claim, owner: owner, now: now) else { return false }
        try setJob(db, callSid: claim.callSid, state: .failed, error: error, now: now)
        return true
    }

    static func setJob(_ db: some SQLExecutor, callSid: String, state: TranscriptionJobState, error: String?, now: Date) throws {
        try db.execute(StoreSQL.setTranscriptionJob, [callSid, state, error, now])
    }

    // MARK: Transcripts

    /// Stores a successful transcription; it replaces the previous one only now
    /// that it succeeded, and marks the job done (or empty: no speech).
    static func writeOfflineTranscript(_ db: some SQLExecutor, _ t: OfflineTranscript, callSid: String, recordingSid: String?, now: Date) throws {
        try db.execute(StoreSQL.upsertOfflineTranscript, [
            callSid, t.text.trimmingCharacters(in: .whitespacesAndNewlines), t.engine, t.model, t.modelSHA256, t.audioSHA256,
            recordingSid, t.settingsJSON, t.segmentsJSON(), t.audioSeconds, t.processingSeconds, now,
        ])
        try setJob(db, callSid: callSid, state: t.isEmpty ? .empty : .done, error: nil, now: now)
    }

    static func offlineTranscript(_ db: some SQLExecutor, _ callSid: String) throws -> StoredOfflineTranscript? {
        try db.record(TranscriptRecord.self, "SELECT * FROM transcripts WHERE call_sid = ? AND source = 'offline' AND origin = ''", [callSid])
            .map { $0.storedOffline(callSid: callSid) }
    }

    static func offlineState(_ db: some SQLExecutor, _ callSid: String, transcript: StoredOfflineTranscript?) throws -> OfflineTranscriptState {
        if let transcript, !transcript.transcript.isEmpty { return .done(text: transcript.transcript.text) }
        let job = try db.record(TranscriptionJobRecord.self, "SELECT * FROM transcription_jobs WHERE call_sid = ?", [callSid])
        switch job?.state {
        case .running: return .running
        case .failed: return .failed(reason: job?.error ?? "unknown error")
        case .empty: return .empty
        case .pending, .done, nil:
            let recordings = try recordings(db, ofCall: callSid)
            return recordings.contains { $0.downloadState != .absent && $0.downloadState != .failed } ? .pending : .noRecording
        }
    }

    /// Trimmed as the offline one is, so SQL's "non-empty" and the policy's agree.
    static func saveRealtimeTranscript(_ db: some SQLExecutor, _ text: String, callSid: String, origin: String, now: Date) throws {
        try db.execute(StoreSQL.upsertRealtimeTranscript, [callSid, origin, text.trimmingCharacters(in: .whitespacesAndNewlines), origin, now])
    }

    /// The newest non-empty realtime transcript of a call.
    static func realtimeTranscript(_ db: some SQLExecutor, _ callSid: String) throws -> StoredRealtimeTranscript? {
        try db.record(TranscriptRecord.self, """
            SELECT * FROM transcripts WHERE call_sid = ? AND source = 'realtime' AND TRIM(text) != '' ORDER BY created_at DESC LIMIT 1
            """, [callSid]).map { StoredRealtimeTranscript(callSid: callSid, origin: $0.origin, text: $0.text, createdAt: $0.createdAt) }
    }

    /// The transcript that counts for a call, chosen by `TranscriptPolicy`.
    static func authoritativeTranscript(_ db: some SQLExecutor, _ callSid: String) throws -> AuthoritativeTranscript {
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

extension TranscriptRecord {
    func storedOffline(callSid: String) -> StoredOfflineTranscript {
        let decoded: [TranscriptSegment]
        do {
            decoded = try segments.map { try JSONDecoder().decode([TranscriptSegment].self, from: Data($0.utf8)) } ?? []
        } catch {
            // Segments are detail for the viewer: a transcript written by a build with another segment shape still counts.
            decoded = []
        }
        let t = OfflineTranscript(text: text, segments: decoded, language: "", audioSHA256: audioSha256 ?? "",
                                  model: model ?? "", modelSHA256: modelSha256 ?? "", engine: engine ?? "",
                                  settingsJSON: settings ?? "{}", audioSeconds: audioSeconds ?? 0,
                                  processingSeconds: processingSeconds ?? 0)
        return StoredOfflineTranscript(callSid: callSid, recordingSid: recordingSid, transcript: t, createdAt: createdAt)
    }
}
