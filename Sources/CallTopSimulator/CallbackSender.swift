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

/// HMAC-SHA1 (RFC 2104) over a small SHA-1 (FIPS 180-4). The simulator target
/// depends only on Hummingbird and swift-log (see SHA256.swift); signing a
/// few callbacks does not justify linking swift-crypto into it.
enum HMACSHA1 {
    static func mac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var k = key.count > 64 ? sha1(key) : key
        k += [UInt8](repeating: 0, count: 64 - k.count)
        let inner = sha1(k.map { $0 ^ 0x36 } + message)
        return sha1(k.map { $0 ^ 0x5c } + inner)
    }

    static func sha1(_ message: [UInt8]) -> [UInt8] {
        var h: [UInt32] = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0]
        var data = message
        let bitLength = UInt64(message.count) &* 8
        data.append(0x80)
        while data.count % 64 != 56 { data.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) { data.append(UInt8((bitLength >> UInt64(shift)) & 0xff)) }
        var w = [UInt32](repeating: 0, count: 80)
        for chunk in stride(from: 0, to: data.count, by: 64) {
            for i in 0..<16 {
                let b = chunk + i * 4
                w[i] = UInt32(data[b]) << 24 | UInt32(data[b + 1]) << 16 | UInt32(data[b + 2]) << 8 | UInt32(data[b + 3])
            }
            for i in 16..<80 {
                let x = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]
                w[i] = x << 1 | x >> 31
            }
            var (a, b, c, d, e) = (h[0], h[1], h[2], h[3], h[4])
            for i in 0..<80 {
                let (f, k): (UInt32, UInt32) = switch i {
                case 0..<20: ((b & c) | (~b & d), 0x5A827999)
                case 20..<40: (b ^ c ^ d, 0x6ED9EBA1)
                case 40..<60: ((b & c) | (b & d) | (c & d), 0x8F1BBCDC)
                default: (b ^ c ^ d, 0xCA62C1D6)
                }
                let t = (a << 5 | a >> 27) &+ f &+ e &+ k &+ w[i]
                e = d; d = c; c = b << 30 | b >> 2; b = a; a = t
            }
            h[0] &+= a; h[1] &+= b; h[2] &+= c; h[3] &+= d; h[4] &+= e
        }
        return h.flatMap { v in [UInt8(v >> 24), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)] }
    }
}
