import Foundation

/// The JSON of `calltop transcript --json` (a call's authoritative
/// transcript) and `calltop transcribe --file --json` (one file's), with
/// the offline transcript's provenance where there is one.
public struct TranscriptDocument: Encodable, Sendable, Equatable {
    /// How an offline transcript was made: engine, model, audio and settings.
    public struct Provenance: Encodable, Sendable, Equatable {
        public var engine: String
        public var model: String
        public var modelSHA256: String
        public var audioSHA256: String
        /// The worker's settings object; its text when it is not JSON.
        public var settings: JSONValue
        public var audioSeconds: Double
        public var processingSeconds: Double
        public var segments: [TranscriptSegment]

        public init(_ t: OfflineTranscript) {
            engine = t.engine
            model = t.model
            modelSHA256 = t.modelSHA256
            audioSHA256 = t.audioSHA256
            settings = (try? JSONDecoder().decode(JSONValue.self, from: Data(t.settingsJSON.utf8))) ?? .string(t.settingsJSON)
            audioSeconds = t.audioSeconds
            processingSeconds = t.processingSeconds
            segments = t.segments
        }

        enum CodingKeys: String, CodingKey {
            case engine, model, settings, segments
            case modelSHA256 = "model_sha256", audioSHA256 = "audio_sha256"
            case audioSeconds = "audio_seconds", processingSeconds = "processing_seconds"
        }
    }

    enum Subject: Sendable, Equatable {
        case file(path: String, language: String)
        case call(callSid: String, source: TranscriptSource, reason: String, recordingSid: String?, createdAt: Date?, engine: String?)
    }

    var subject: Subject
    public var text: String
    public var provenance: Provenance?

    /// One file's transcript: the store is not involved.
    public static func file(_ t: OfflineTranscript, path: String) -> TranscriptDocument {
        TranscriptDocument(subject: .file(path: path, language: t.language), text: t.text, provenance: Provenance(t))
    }

    /// A call's authoritative transcript; the provenance only when the offline one won.
    public static func call(_ callSid: String, choice: AuthoritativeTranscript, offline: StoredOfflineTranscript?) -> TranscriptDocument {
        let won = choice.source == .offline ? offline : nil
        return TranscriptDocument(
            subject: .call(callSid: callSid, source: choice.source, reason: choice.reason, recordingSid: won?.recordingSid,
                           createdAt: won?.createdAt, engine: choice.engine),
            text: choice.text, provenance: won.map { Provenance($0.transcript) })
    }

    /// Pretty-printed with sorted keys, slashes as they are.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    enum CodingKeys: String, CodingKey {
        case text, chars, file, language, source, reason, engine
        case callSid = "call_sid", recordingSid = "recording_sid", createdAt = "created_at"
    }

    public func encode(to encoder: any Encoder) throws {
        try provenance?.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(text, forKey: .text)
        try c.encode(text.count, forKey: .chars)
        switch subject {
        case let .file(path, language):
            try c.encode(path, forKey: .file)
            try c.encode(language, forKey: .language)
        case let .call(callSid, source, reason, recordingSid, createdAt, engine):
            try c.encode(callSid, forKey: .callSid)
            try c.encode(source.rawValue, forKey: .source)
            try c.encode(reason, forKey: .reason)
            if provenance != nil {
                // Present and null when the offline transcript has no recording.
                try c.encode(recordingSid, forKey: .recordingSid)
                try c.encode(createdAt?.formatted(.iso8601), forKey: .createdAt)
            } else {
                try c.encode(engine, forKey: .engine)
            }
        }
    }
}

/// Any JSON value, for objects whose shape is not ours (the speech worker's settings).
public indirect enum JSONValue: Codable, Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let v = try? c.decode(Bool.self) { self = .bool(v) }
        else if let v = try? c.decode(Int.self) { self = .int(v) }
        else if let v = try? c.decode(Double.self) { self = .double(v) }
        else if let v = try? c.decode(String.self) { self = .string(v) }
        else if let v = try? c.decode([JSONValue].self) { self = .array(v) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case let .bool(v): try c.encode(v)
        case let .int(v): try c.encode(v)
        case let .double(v): try c.encode(v)
        case let .string(v): try c.encode(v)
        case let .array(v): try c.encode(v)
        case let .object(v): try c.encode(v)
        }
    }
}
