import Crypto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Plays Twilio's part towards `calltop serve`: POSTs recording status and
/// real-time transcription callbacks, form-encoded and signed exactly as
/// Twilio signs them (`X-Twilio-Signature`, HMAC-SHA1 with the auth token over
/// the public URL and the sorted parameters).
public struct CallbackSender: Sendable {
    /// Where the requests go: `http://127.0.0.1:<serve port>`.
    public let serveURL: String
    /// The URL Twilio was configured with (what it signs), e.g. `--public-url`.
    public let publicURL: String
    public let authToken: String
    public let accountSid: String
    let session: URLSession

    public struct Response: Sendable, Equatable {
        public var status: Int
        public var body: String
    }

    public init(serveURL: String, publicURL: String, authToken: String = SimulatorConfig.defaultAuthToken,
                accountSid: String = SimulatorConfig.defaultAccountSid, maxConnections: Int = 8) {
        self.serveURL = Self.trimmed(serveURL)
        self.publicURL = Self.trimmed(publicURL)
        self.authToken = authToken
        self.accountSid = accountSid
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = maxConnections
        configuration.timeoutIntervalForRequest = 30
        self.session = URLSession(configuration: configuration)
    }

    // MARK: Twilio's callbacks

    /// A recording status callback for a simulated recording, with the fields Twilio sends.
    public func recordingStatus(_ r: SimulatedRecording, status: String = "completed", errorCode: Int? = nil) async throws -> Response {
        try await post("/twilio/recording-status", Self.recordingStatusParameters(r, accountSid: accountSid, status: status, errorCode: errorCode))
    }

    /// One real-time transcription event (`transcription-content` unless told otherwise).
    public func transcription(callSid: String, transcriptionSid: String, track: String, sequenceId: Int, text: String,
                              final: Bool = true, event: String = "transcription-content") async throws -> Response {
        try await post("/twilio/transcription", Self.transcriptionParameters(
            accountSid: accountSid, callSid: callSid, transcriptionSid: transcriptionSid, track: track,
            sequenceId: sequenceId, text: text, final: final, event: event))
    }

    /// The whole of a call as Twilio reports it: the real-time transcript sentence
    /// by sentence (tracks alternating), then the recording's completion.
    public func playCall(_ r: SimulatedRecording) async throws -> [Response] {
        let transcriptionSid = "GT" + String(r.sid.dropFirst(2))
        var out: [Response] = []
        for (i, sentence) in Self.sentences(r.transcript).enumerated() {
            out.append(try await transcription(callSid: r.callSid, transcriptionSid: transcriptionSid,
                                               track: i % 2 == 0 ? "inbound_track" : "outbound_track", sequenceId: i + 1, text: sentence))
        }
        out.append(try await recordingStatus(r))
        return out
    }

    /// Which `X-Twilio-Signature` to send: the right one, none, or a given one (tests of refusals).
    public enum Signing: Sendable, Equatable {
        case computed
        case omitted
        case custom(String)
    }

    /// POSTs `parameters` to `path`, signed over `signedURL` (default: the public URL + path).
    public func post(_ path: String, _ parameters: [(String, String)], signing: Signing = .computed,
                     signedURL: String? = nil) async throws -> Response {
        let computed = Self.signature(url: signedURL ?? publicURL + path, parameters: parameters, authToken: authToken)
        var request = URLRequest(url: URL(string: serveURL + path)!)
        request.httpMethod = "POST"
        request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        request.setValue("TwilioProxy/1.1", forHTTPHeaderField: "User-Agent")
        let header: String? = switch signing {
        case .computed: computed
        case .omitted: nil
        case .custom(let s): s
        }
        if let header { request.setValue(header, forHTTPHeaderField: "X-Twilio-Signature") }
        request.httpBody = Data(Self.formEncoded(parameters).utf8)
        let (data, response) = try await session.data(for: request)
        return Response(status: (response as? HTTPURLResponse)?.statusCode ?? 0, body: String(decoding: data, as: UTF8.self))
    }

    // MARK: Payloads and signing (pure)

    public static func recordingStatusParameters(_ r: SimulatedRecording, accountSid: String, status: String,
                                                 errorCode: Int? = nil) -> [(String, String)] {
        [
            ("AccountSid", accountSid), ("CallSid", r.callSid), ("RecordingSid", r.sid),
            ("RecordingUrl", "https://api.twilio.com/2010-04-01/Accounts/\(accountSid)/Recordings/\(r.sid)"),
            ("RecordingStatus", status), ("RecordingDuration", String(r.durationSeconds)),
            ("RecordingChannels", String(r.channels)), ("RecordingSource", r.source),
            ("RecordingStartTime", TwilioDate.rfc2822(r.startTime)), ("RecordingTrack", "both"),
            ("ErrorCode", String(errorCode ?? 0)),
        ]
    }

    public static func transcriptionParameters(accountSid: String, callSid: String, transcriptionSid: String, track: String,
                                               sequenceId: Int, text: String, final: Bool, event: String) -> [(String, String)] {
        var data = "{\"transcript\":\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": data += "\\\""
            case "\\": data += "\\\\"
            case "\n": data += "\\n"
            default: data.unicodeScalars.append(scalar)
            }
        }
        data += "\",\"confidence\":0.91}"
        return [
            ("AccountSid", accountSid), ("CallSid", callSid), ("TranscriptionSid", transcriptionSid),
            ("TranscriptionEvent", event), ("Track", track), ("Final", final ? "true" : "false"),
            ("SequenceId", String(sequenceId)), ("TranscriptionData", data), ("LanguageCode", "en-US"),
            ("Timestamp", "2026-01-01T00:00:00.000Z"), ("ProviderName", "Google"),
        ]
    }

    /// Base64(HMAC-SHA1(auth token, url + sorted name+value pairs)), as Twilio computes it.
    public static func signature(url: String, parameters: [(String, String)], authToken: String) -> String {
        var message = Array(url.utf8)
        let sorted = parameters.sorted { a, b in
            a.0 != b.0 ? Array(a.0.utf8).lexicographicallyPrecedes(Array(b.0.utf8))
                       : Array(a.1.utf8).lexicographicallyPrecedes(Array(b.1.utf8))
        }
        for (name, value) in sorted { message += Array(name.utf8) + Array(value.utf8) }
        return Data(HMACSHA1.mac(key: Array(authToken.utf8), message: message)).base64EncodedString()
    }

    public static func formEncoded(_ parameters: [(String, String)]) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return parameters.map { "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }
            .joined(separator: "&")
    }

    static func sentences(_ text: String) -> [String] {
        var out: [String] = []
        var current = ""
        for ch in text {
            current.append(ch)
            if ch == "." || ch == "?" || ch == "!" {
                let s = current.trimmingCharacters(in: .whitespaces)
                if !s.isEmpty { out.append(s) }
                current = ""
            }
        }
        let rest = current.trimmingCharacters(in: .whitespaces)
        if !rest.isEmpty { out.append(rest) }
        return out
    }

    static func trimmed(_ url: String) -> String {
        var s = url
        while s.hasSuffix("/") { s.removeLast() }
        return s
    }
}

/// Twilio signs with HMAC-SHA1: weak as a hash, but it is what Twilio sends.
enum HMACSHA1 {
    static func mac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }
}
