import Foundation

/// A request line for speech/worker.py.
struct WorkerRequest: Encodable, Equatable, Sendable {
    struct Options: Encodable, Equatable, Sendable {
        let model: String
        let language: String?
        let channels: Int
        // Encode `language: null` explicitly: null means "detect".
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(model, forKey: .model)
            try c.encode(language, forKey: .language)
            try c.encode(channels, forKey: .channels)
        }
        enum CodingKeys: String, CodingKey { case model, language, channels }
    }
    let id: String
    let audio: String
    let options: Options

    func line() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}

/// One line from the worker, decoded once into the case its `type` names,
/// with the fields that case has. Unknown fields are ignored, unknown types
/// are `.other`.
enum WorkerMessage: Equatable, Sendable {
    case ready(protocolVersion: Int?)
    /// The job began; the audio length is what the file's container claims.
    case started(id: String, audioSeconds: Double?, channels: Int?)
    /// `decodedSeconds`: audio decoded (and transcribed) so far, from the start of the file.
    case progress(id: String, fraction: Double?, decodedSeconds: Double?, segment: TranscriptSegment?)
    case result(id: String, WorkerResult)
    /// A typed failure; without an id it is not about any job.
    case error(id: String?, code: String, message: String)
    case other(type: String)

    static func parse(_ line: String) -> WorkerMessage? {
        try? JSONDecoder().decode(WorkerMessage.self, from: Data(line.utf8))
    }
}

/// The fields of a `result` line.
struct WorkerResult: Equatable, Sendable {
    var text: String
    var segments: [TranscriptSegment]
    var language: String
    var model: String?
    var modelSHA256: String
    /// The result's "settings", re-serialised with sorted keys (provenance).
    var settingsJSON: String
    var audioSeconds: Double
    var processingSeconds: Double
}

extension WorkerMessage: Decodable {
    private enum Key: String, CodingKey {
        case type, id, fraction, segment, text, segments, language, model, code, message, channels, settings
        case protocolVersion = "protocol"
        case audioSeconds = "audio_seconds"
        case decodedSeconds = "decoded_seconds"
        case modelSHA256 = "model_sha256"
        case processingSeconds = "processing_seconds"
    }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        let type = try c.decode(String.self, forKey: .type)
        switch type {
        case "ready":
            self = .ready(protocolVersion: try c.decodeIfPresent(Int.self, forKey: .protocolVersion))
        case "started":
            self = .started(id: try c.decode(String.self, forKey: .id),
                            audioSeconds: try c.decodeIfPresent(Double.self, forKey: .audioSeconds),
                            channels: try c.decodeIfPresent(Int.self, forKey: .channels))
        case "progress":
            self = .progress(id: try c.decode(String.self, forKey: .id),
                             fraction: try c.decodeIfPresent(Double.self, forKey: .fraction),
                             decodedSeconds: try c.decodeIfPresent(Double.self, forKey: .decodedSeconds),
                             segment: try c.decodeIfPresent(TranscriptSegment.self, forKey: .segment))
        case "result":
            let settings = try c.decodeIfPresent(JSONTree.self, forKey: .settings)
            self = .result(id: try c.decode(String.self, forKey: .id), WorkerResult(
                text: try c.decodeIfPresent(String.self, forKey: .text) ?? "",
                segments: try c.decodeIfPresent([TranscriptSegment].self, forKey: .segments) ?? [],
                language: try c.decodeIfPresent(String.self, forKey: .language) ?? "",
                model: try c.decodeIfPresent(String.self, forKey: .model),
                modelSHA256: try c.decodeIfPresent(String.self, forKey: .modelSHA256) ?? "",
                settingsJSON: settings?.sortedJSON() ?? "{}",
                audioSeconds: try c.decodeIfPresent(Double.self, forKey: .audioSeconds) ?? 0,
                processingSeconds: try c.decodeIfPresent(Double.self, forKey: .processingSeconds) ?? 0))
        case "error":
            self = .error(id: try c.decodeIfPresent(String.self, forKey: .id),
                          code: try c.decodeIfPresent(String.self, forKey: .code) ?? "internal",
                          message: try c.decodeIfPresent(String.self, forKey: .message) ?? "")
        default:
            self = .other(type: type)
        }
    }
}

/// Any JSON value, kept only to write the settings object back out with sorted keys.
private enum JSONTree: Codable {
    case null, bool(Bool), int(Int), double(Double), string(String), array([JSONTree]), object([String: JSONTree])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .double(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONTree].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONTree].self)) }
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .int(let i): try c.encode(i)
        case .double(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    func sortedJSON() -> String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) }
    }
}
