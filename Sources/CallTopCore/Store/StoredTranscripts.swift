import Foundation
import GRDB

/// An offline transcript as stored, with its provenance.
public struct StoredOfflineTranscript: Sendable, Equatable {
    public var callSid: String
    public var recordingSid: String?
    public var transcript: OfflineTranscript
    public var createdAt: Date
}

/// A realtime transcript as stored: where it came from and when.
public struct StoredRealtimeTranscript: Sendable, Equatable {
    public var callSid: String
    public var origin: String
    public var text: String
    public var createdAt: Date
}
