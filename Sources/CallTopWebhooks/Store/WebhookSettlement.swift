import CallTopCore
import Foundation

/// A call waiting for its transcript to settle, and what has been delivered for it.
public struct WebhookSettlement: Sendable, Equatable {
    public var callSid: String
    public var recordingSid: String?
    public var completedAt: Date
    public var checksDone: Int
    public var nextCheckAt: Date?
    /// 0 until the first delivery was queued.
    public var deliveredVersion: Int
    public var deliveredSource: TranscriptSource?

    public init(callSid: String, recordingSid: String?, completedAt: Date, checksDone: Int, nextCheckAt: Date?,
                deliveredVersion: Int, deliveredSource: TranscriptSource?) {
        self.callSid = callSid; self.recordingSid = recordingSid; self.completedAt = completedAt; self.checksDone = checksDone
        self.nextCheckAt = nextCheckAt; self.deliveredVersion = deliveredVersion; self.deliveredSource = deliveredSource
    }
}
