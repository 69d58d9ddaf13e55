import Foundation

/// One call as the simulator holds it (what `Calls/{CA}.json` reports).
public struct SimulatedCall: Sendable, Equatable {
    /// Position in the newest-first call list.
    public let index: Int
    public let sid: String
    public let parentCallSid: String?
    public let from: String
    public let to: String
    public let fromFormatted: String
    public let toFormatted: String
    /// One of Twilio's directions: inbound, outbound-api, outbound-dial, trunking-terminating, trunking-originating.
    public let direction: String
    /// completed, busy, no-answer, failed or canceled.
    public let status: String
    public let dateCreated: Date
    public let dateUpdated: Date
    public let startTime: Date
    public let endTime: Date
    public let durationSeconds: Int
    /// Twilio's string form, e.g. "-0.01400"; nil when Twilio sends null.
    public let price: String?
    public let phoneNumberSid: String?
    public let trunkSid: String?
    /// Oldest first (the order they were made in).
    public let recordingSids: [String]
}

/// One recording and the media bytes a correct downloader must end up with.
public struct SimulatedRecording: Sendable, Equatable {
    public let sid: String
    public let callSid: String
    public let callIndex: Int
    /// Status once any `not_ready` tries are used up: "completed" or "absent".
    public let status: String
    public let channels: Int
    public let source: String
    public let durationSeconds: Int
    public let startTime: Date
    /// Size and SHA-256 (lowercase hex) of the default `.mp3` (mono, or the two channels mixed).
    public let mp3Bytes: Int
    public let mp3SHA256: String
    /// Size of the default `.wav` (mono, or mixed).
    public let wavBytes: Int
    /// What is said, for scoring transcriptions.
    public let transcript: String
    public let clipID: String
    /// Scenarios that apply to this recording (rules targeting all recordings included).
    public let scenarios: [Scenario]
    /// Relative, as Twilio gives it: `/2010-04-01/Accounts/AC…/Recordings/RE….json`.
    public let uri: String
}

/// One request as a listener saw it, for tests that count attempts.
public struct RecordedRequest: Sendable, Equatable {
    public enum Credential: String, Sendable, Equatable {
        case none
        case accountAuthToken = "account_auth_token"
        case apiKey = "api_key"
        case invalid
    }

    public let method: String
    public let path: String
    /// Raw query string as it arrived (still percent-encoded), nil if none.
    public let query: String?
    public let authorized: Bool
    public let credential: Credential
    public let hadAuthorizationHeader: Bool
    public let status: Int
    /// "api" or "offhost".
    public let listener: String
    /// The recording a metadata or media request was about.
    public let recordingSid: String?
    public let isMedia: Bool
    /// The scenario that shaped this answer, e.g. "rate_limited"; nil for a plain answer.
    public let scenario: String?
}
