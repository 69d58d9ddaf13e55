import Foundation

/// One line of `calltop export`: a call with its authoritative transcript,
/// where that transcript came from and why it won (the transcript policy).
/// JSON Lines and CSV both come from this type, with the same column names.
public struct CallExportRecord: Codable, Sendable, Equatable {
    public var callSid: String
    public var from: String
    public var to: String
    public var direction: String
    public var callStatus: String
    public var startTime: Date?
    public var durationS: Int?
    public var recordingSid: String?
    public var downloadState: String?
    public var transcriptSource: String
    public var transcriptReason: String
    public var transcriptEngine: String?
    public var transcript: String

    enum CodingKeys: String, CodingKey, CaseIterable {
        case callSid = "call_sid", from, to, direction, callStatus = "call_status", startTime = "start_time"
        case durationS = "duration_s", recordingSid = "recording_sid", downloadState = "download_state"
        case transcriptSource = "transcript_source", transcriptReason = "transcript_reason"
        case transcriptEngine = "transcript_engine", transcript
    }

    public init(row: CallRow, transcript authoritative: AuthoritativeTranscript?) {
        callSid = row.callSid; from = row.from; to = row.to; direction = row.direction; callStatus = row.callStatus
        startTime = row.startTime; durationS = row.durationS; recordingSid = row.recordingSid
        downloadState = row.downloadState?.rawValue
        let t = authoritative ?? AuthoritativeTranscript(source: .none, reason: "none available", text: "")
        transcriptSource = t.source.rawValue; transcriptReason = t.reason; transcriptEngine = t.engine; transcript = t.text
    }

    public static let csvHeader = CodingKeys.allCases.map(\.rawValue)

    /// The same fields as the JSON, in `csvHeader` order; absent values are empty.
    public var csvFields: [String] {
        let time = startTime.map { ExportFormat.iso8601($0) }
        return [callSid, from, to, direction, callStatus, time ?? "", durationS.map(String.init) ?? "", recordingSid ?? "",
                downloadState ?? "", transcriptSource, transcriptReason, transcriptEngine ?? "", transcript]
    }
}

public enum ExportFormat: String, Sendable, CaseIterable {
    case jsonl, csv

    static func iso8601(_ date: Date) -> String { date.formatted(.iso8601) }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// The header line, if the format has one.
    public var header: String? {
        self == .csv ? CSVLine.encode(CallExportRecord.csvHeader) : nil
    }

    /// One record as one line (no trailing newline). JSON escapes control
    /// characters itself; CSV keeps newlines inside quotes (RFC 4180).
    public func line(_ record: CallExportRecord) throws -> String {
        switch self {
        case .jsonl: return String(decoding: try Self.encoder.encode(record), as: UTF8.self)
        case .csv: return CSVLine.encode(record.csvFields)
        }
    }
}

/// RFC 4180 fields: quoted when they hold a comma, quote, CR or LF, with
/// quotes doubled. A field starting with = + - @ is prefixed with ' so a
/// spreadsheet does not run it as a formula (transcripts are caller speech).
/// Other control characters are dropped: the file may be printed to a terminal.
public enum CSVLine {
    public static func encode(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",")
    }

    static func field(_ raw: String) -> String {
        var text = String(String.UnicodeScalarView(raw.unicodeScalars.filter { s in
            s == "\n" || s == "\r" || s == "\t" || !(s.properties.generalCategory == .control)
        }))
        if let first = text.first, "=+-@".contains(first), Double(text) == nil { text = "'" + text }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
