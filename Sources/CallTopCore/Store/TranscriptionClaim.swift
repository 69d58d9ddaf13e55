import Foundation
import GRDB

/// A claimed transcription: the fence its result must be written under.
public struct TranscriptionClaim: Sendable, Equatable {
    public var callSid: String
    public var fence: Int
}
