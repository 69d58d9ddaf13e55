import CallTopCore
import Foundation

/// What a Twilio recording status callback said, after its SIDs were checked.
public struct RecordingCallbackFacts: Sendable, Equatable {
    public var accountSid: String
    public var callSid: String
    public var recordingSid: String
    /// `in-progress`, `completed`, `absent` or `failed`.
    public var status: String
    public var durationS: Int?
    public var channels: Int?
    public var source: String?
    public var track: String?
    public var startTime: Date?
    public var errorCode: Int?
    /// #15: the callback's `EncryptionDetails` (Voice Recording Encryption).
    public var encryption: EncryptionDetails?

    public init(accountSid: String, callSid: String, recordingSid: String, status: String, durationS: Int? = nil,
                channels: Int? = nil, source: String? = nil, track: String? = nil, startTime: Date? = nil, errorCode: Int? = nil,
                encryption: EncryptionDetails? = nil) {
        self.accountSid = accountSid; self.callSid = callSid; self.recordingSid = recordingSid; self.status = status
        self.durationS = durationS; self.channels = channels; self.source = source; self.track = track
        self.startTime = startTime; self.errorCode = errorCode
        self.encryption = encryption
    }

    /// The recording's own API path, built from checked SIDs: never from the
    /// callback's `RecordingUrl`, whose host ignores region and edge (the seed bug).
    public var uri: String { "/2010-04-01/Accounts/\(accountSid)/Recordings/\(recordingSid).json" }
}
