import Foundation

/// One call as `list` and the dashboard show it: the call, its primary
/// recording, the state that needs attention first across all its recordings,
/// and the authoritative transcript's summary. Field names follow DESIGN.md's
/// `list --json` contract.
public struct CallRow: Sendable, Equatable, Codable {
    public var callSid: String
    public var from: String
    public var to: String
    public var direction: String
    public var callStatus: String
    public var startTime: Date?
    public var durationS: Int?
    public var recordingSid: String?
    public var downloadState: DownloadState?
    public var bytes: Int64?
    public var expectedBytes: Int64?
    public var attempts: Int
    public var lastError: String?
    public var nextRetryAt: Date?
    public var path: String?
    public var sha256: String?
    public var transcriptSource: TranscriptSource
    public var transcriptChars: Int
    /// Offline and realtime transcripts disagree beyond the threshold (`calltop serve`'s cross-check).
    public var suspect: Bool
    /// The outbound webhook's state for this call: delivered, pending, failing, or nil when none was queued.
    public var delivery: String?
    public var recordingCount: Int
    /// Every recording, oldest first: filled for `list --json`, empty in the dashboard's rows.
    public var recordings: [CallRecording]
    /// #15: the Twilio Public Key SID that encrypted the primary recording (Voice Recording Encryption), if any.
    public var publicKeySid: String?
    public var encrypted: Bool { publicKeySid != nil }
    /// The `calltop worker` holding this call's download or transcription right
    /// now (team mode), by name. For the dashboard only: not in `CodingKeys`,
    /// so `list --json`'s contract does not change.
    public var worker: String?

    public init(
        callSid: String, from: String, to: String, direction: String, callStatus: String,
        startTime: Date?, durationS: Int?, recordingSid: String? = nil, downloadState: DownloadState? = nil,
        bytes: Int64? = nil, expectedBytes: Int64? = nil, attempts: Int = 0, lastError: String? = nil,
        nextRetryAt: Date? = nil, path: String? = nil, sha256: String? = nil,
        transcriptSource: TranscriptSource = .none, transcriptChars: Int = 0, suspect: Bool = false, delivery: String? = nil,
        recordingCount: Int? = nil, recordings: [CallRecording] = [], publicKeySid: String? = nil, worker: String? = nil
    ) {
        self.callSid = callSid; self.from = from; self.to = to; self.direction = direction
        self.callStatus = callStatus; self.startTime = startTime; self.durationS = durationS
        self.recordingSid = recordingSid; self.downloadState = downloadState; self.bytes = bytes
        self.expectedBytes = expectedBytes; self.attempts = attempts; self.lastError = lastError
        self.nextRetryAt = nextRetryAt; self.path = path; self.sha256 = sha256
        self.transcriptSource = transcriptSource; self.transcriptChars = transcriptChars
        self.suspect = suspect; self.delivery = delivery
        self.recordingCount = recordingCount ?? (recordings.isEmpty ? (recordingSid == nil ? 0 : 1) : recordings.count)
        self.recordings = recordings
        self.publicKeySid = publicKeySid
        self.worker = worker
    }

    enum CodingKeys: String, CodingKey {
        case callSid = "call_sid", from, to, direction, callStatus = "call_status", startTime = "start_time"
        case durationS = "duration_s", recordingSid = "recording_sid", downloadState = "download_state"
        case bytes, expectedBytes = "expected_bytes", attempts, lastError = "last_error"
        case nextRetryAt = "next_retry_at", path, sha256, transcriptSource = "transcript_source"
        case transcriptChars = "transcript_chars", suspect, delivery, recordings
        case encrypted, publicKeySid = "public_key_sid"
    }

    /// Explicit nulls: every documented field is present in `--json` output.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(callSid, forKey: .callSid)
        try c.encode(from, forKey: .from)
        try c.encode(to, forKey: .to)
        try c.encode(direction, forKey: .direction)
        try c.encode(callStatus, forKey: .callStatus)
        try c.encode(startTime, forKey: .startTime)
        try c.encode(durationS, forKey: .durationS)
        try c.encode(recordingSid, forKey: .recordingSid)
        try c.encode(downloadState, forKey: .downloadState)
        try c.encode(bytes, forKey: .bytes)
        try c.encode(expectedBytes, forKey: .expectedBytes)
        try c.encode(attempts, forKey: .attempts)
        try c.encode(lastError, forKey: .lastError)
        try c.encode(nextRetryAt, forKey: .nextRetryAt)
        try c.encode(path, forKey: .path)
        try c.encode(sha256, forKey: .sha256)
        try c.encode(transcriptSource, forKey: .transcriptSource)
        try c.encode(transcriptChars, forKey: .transcriptChars)
        try c.encode(suspect, forKey: .suspect)
        try c.encode(delivery, forKey: .delivery)
        try c.encode(encrypted, forKey: .encrypted)
        try c.encode(publicKeySid, forKey: .publicKeySid)
        try c.encode(recordings, forKey: .recordings)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            callSid: try c.decode(String.self, forKey: .callSid), from: try c.decode(String.self, forKey: .from),
            to: try c.decode(String.self, forKey: .to), direction: try c.decode(String.self, forKey: .direction),
            callStatus: try c.decode(String.self, forKey: .callStatus), startTime: try c.decodeIfPresent(Date.self, forKey: .startTime),
            durationS: try c.decodeIfPresent(Int.self, forKey: .durationS), recordingSid: try c.decodeIfPresent(String.self, forKey: .recordingSid),
            downloadState: try c.decodeIfPresent(DownloadState.self, forKey: .downloadState), bytes: try c.decodeIfPresent(Int64.self, forKey: .bytes),
            expectedBytes: try c.decodeIfPresent(Int64.self, forKey: .expectedBytes), attempts: try c.decode(Int.self, forKey: .attempts),
            lastError: try c.decodeIfPresent(String.self, forKey: .lastError), nextRetryAt: try c.decodeIfPresent(Date.self, forKey: .nextRetryAt),
            path: try c.decodeIfPresent(String.self, forKey: .path), sha256: try c.decodeIfPresent(String.self, forKey: .sha256),
            transcriptSource: try c.decode(TranscriptSource.self, forKey: .transcriptSource),
            transcriptChars: try c.decode(Int.self, forKey: .transcriptChars),
            suspect: try c.decodeIfPresent(Bool.self, forKey: .suspect) ?? false, delivery: try c.decodeIfPresent(String.self, forKey: .delivery),
            recordings: try c.decodeIfPresent([CallRecording].self, forKey: .recordings) ?? [],
            publicKeySid: try c.decodeIfPresent(String.self, forKey: .publicKeySid))
    }
}

/// One recording in `list --json`'s `recordings` array.
public struct CallRecording: Sendable, Equatable, Codable {
    public var recordingSid: String
    public var downloadState: DownloadState
    public var bytes: Int64?
    public var expectedBytes: Int64?
    public var attempts: Int
    public var lastError: String?
    public var nextRetryAt: Date?
    public var path: String?
    public var sha256: String?
    public var channels: Int?
    public var durationS: Int?

    public init(recordingSid: String, downloadState: DownloadState, bytes: Int64? = nil, expectedBytes: Int64? = nil, attempts: Int = 0,
                lastError: String? = nil, nextRetryAt: Date? = nil, path: String? = nil, sha256: String? = nil,
                channels: Int? = nil, durationS: Int? = nil) {
        self.recordingSid = recordingSid; self.downloadState = downloadState; self.bytes = bytes; self.expectedBytes = expectedBytes
        self.attempts = attempts; self.lastError = lastError; self.nextRetryAt = nextRetryAt; self.path = path; self.sha256 = sha256
        self.channels = channels; self.durationS = durationS
    }

    init(_ r: StoredRecording) {
        self.init(recordingSid: r.sid, downloadState: r.downloadState, bytes: r.bytes, expectedBytes: r.expectedBytes, attempts: r.attempts,
                  lastError: r.lastError, nextRetryAt: r.nextRetryAt, path: r.path, sha256: r.sha256, channels: r.channels,
                  durationS: r.durationS.map { max(0, $0) })
    }

    enum CodingKeys: String, CodingKey {
        case recordingSid = "recording_sid", downloadState = "download_state", bytes, expectedBytes = "expected_bytes", attempts
        case lastError = "last_error", nextRetryAt = "next_retry_at", path, sha256, channels, durationS = "duration_s"
    }

    /// Explicit nulls, as for the call objects.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(recordingSid, forKey: .recordingSid)
        try c.encode(downloadState, forKey: .downloadState)
        try c.encode(bytes, forKey: .bytes)
        try c.encode(expectedBytes, forKey: .expectedBytes)
        try c.encode(attempts, forKey: .attempts)
        try c.encode(lastError, forKey: .lastError)
        try c.encode(nextRetryAt, forKey: .nextRetryAt)
        try c.encode(path, forKey: .path)
        try c.encode(sha256, forKey: .sha256)
        try c.encode(channels, forKey: .channels)
        try c.encode(durationS, forKey: .durationS)
    }
}

/// Everything the dashboard's detail view shows about one call.
public struct CallDetail: Sendable, Equatable {
    public var row: CallRow
    public var endTime: Date?
    public var price: String?
    public var recordings: [RecordingDetail]
    public var transcript: AuthoritativeTranscript?

    public init(row: CallRow, endTime: Date? = nil, price: String? = nil, recordings: [RecordingDetail] = [], transcript: AuthoritativeTranscript? = nil) {
        self.row = row; self.endTime = endTime; self.price = price; self.recordings = recordings; self.transcript = transcript
    }
}

public struct RecordingDetail: Sendable, Equatable {
    public var recordingSid: String
    public var status: String
    public var channels: Int?
    public var durationS: Int?
    public var source: String?
    public var uri: String?
    public var downloadState: DownloadState
    public var bytes: Int64?
    public var expectedBytes: Int64?
    public var path: String?
    public var sha256: String?
    public var nextRetryAt: Date?
    public var lastError: String?
    public var attempts: [DownloadAttempt]
    /// #15: set when Voice Recording Encryption encrypted it.
    public var publicKeySid: String? = nil

    public init(recordingSid: String, status: String, channels: Int? = nil, durationS: Int? = nil, source: String? = nil,
                uri: String? = nil, downloadState: DownloadState, bytes: Int64? = nil, expectedBytes: Int64? = nil,
                path: String? = nil, sha256: String? = nil, nextRetryAt: Date? = nil, lastError: String? = nil,
                attempts: [DownloadAttempt] = []) {
        self.recordingSid = recordingSid; self.status = status; self.channels = channels; self.durationS = durationS
        self.source = source; self.uri = uri; self.downloadState = downloadState; self.bytes = bytes
        self.expectedBytes = expectedBytes; self.path = path; self.sha256 = sha256; self.nextRetryAt = nextRetryAt
        self.lastError = lastError; self.attempts = attempts
    }
}

/// One try at fetching a recording (metadata or media), kept for the record.
public struct DownloadAttempt: Sendable, Equatable, Codable {
    public var recordingSid: String
    public var startedAt: Date
    public var httpStatus: Int?
    public var twilioCode: Int?
    public var bytes: Int64
    public var durationMs: Int
    public var error: String?

    public init(recordingSid: String, startedAt: Date, httpStatus: Int?, twilioCode: Int?, bytes: Int64, durationMs: Int, error: String?) {
        self.recordingSid = recordingSid; self.startedAt = startedAt; self.httpStatus = httpStatus
        self.twilioCode = twilioCode; self.bytes = bytes; self.durationMs = durationMs; self.error = error
    }
}

/// The transcript that counts for a call, with where it came from and why it won.
public struct AuthoritativeTranscript: Sendable, Equatable {
    public var source: TranscriptSource
    public var reason: String
    public var text: String
    public var engine: String?
    public var createdAt: Date?

    public init(source: TranscriptSource, reason: String, text: String, engine: String? = nil, createdAt: Date? = nil) {
        self.source = source; self.reason = reason; self.text = text; self.engine = engine; self.createdAt = createdAt
    }
}
