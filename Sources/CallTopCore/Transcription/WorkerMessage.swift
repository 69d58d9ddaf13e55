import Foundation

/// A request line for speech/worker.py.
struct WorkerRequest: Encodable {
    struct Options: Encodable {
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

/// One line from the worker, decoded. Unknown fields are ignored; the
/// settings object is kept as raw JSON for provenance.
struct WorkerMessage: Decodable {
    let type: String
    let id: String?
    // ready
    let protocolVersion: Int?
    // started
    let audioSeconds: Double?
    let channels: Int?
    // progress
    let fraction: Double?
    /// Audio decoded (and transcribed) so far, from the start of the file.
    let decodedSeconds: Double?
    let segment: TranscriptSegment?
    // result
    let text: String?
    let segments: [TranscriptSegment]?
    let language: String?
    let model: String?
    let modelSHA256: String?
    let processingSeconds: Double?
    // error
    let code: String?
    let message: String?
    /// The result's "settings", re-serialised with sorted keys.
    var settingsJSON: String = "{}"

    enum CodingKeys: String, CodingKey {
        case type, id, fraction, segment, text, segments, language, model, code, message, channels
        case protocolVersion = "protocol"
        case audioSeconds = "audio_seconds"
        case decodedSeconds = "decoded_seconds"
        case modelSHA256 = "model_sha256"
        case processingSeconds = "processing_seconds"
    }

    static func parse(_ line: String) -> WorkerMessage? {
        let data = Data(line.utf8)
        guard var message = try? JSONDecoder().decode(WorkerMessage.self, from: data) else { return nil }
        if message.type == "result",
           let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
           let settings = object["settings"],
           let json = try? JSONSerialization.data(withJSONObject: settings, options: [.sortedKeys]) {
            message.settingsJSON = String(decoding: json, as: UTF8.self)
        }
        return message
    }
}
