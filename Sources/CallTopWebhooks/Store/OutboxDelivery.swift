import CallTopCore
import Foundation

/// A delivery is `pending` until the receiver answers 2xx, then `delivered`.
public enum OutboxState: String, Codable, Sendable, CaseIterable {
    case pending, delivered
}

/// One outbound delivery in the persistent outbox.
public struct OutboxDelivery: Sendable, Equatable {
    public var id: Int64
    public var callSid: String
    public var version: Int
    public var source: TranscriptSource
    public var payload: String
    public var state: OutboxState
    public var attempts: Int
    public var nextAttemptAt: Date
    public var lastError: String?
}

/// Where a call's outbound delivery stands, for the dashboard.
public enum WebhookDeliveryStatus: Sendable, Equatable {
    case delivered(version: Int)
    case pending(version: Int)
    /// At least one attempt failed; it will be tried again.
    case failing(version: Int, attempts: Int, lastError: String)
}

extension WebhookDeliveryStatus {
    /// The rule behind the dashboard's delivery column (`callRowSQL` computes
    /// the same in SQL; a test pins the two together over every case).
    public init(_ d: OutboxDelivery) {
        if d.state == .delivered {
            self = .delivered(version: d.version)
        } else if let error = d.lastError, d.attempts > 0 {
            self = .failing(version: d.version, attempts: d.attempts, lastError: error)
        } else {
            self = .pending(version: d.version)
        }
    }

    /// The word `list` and the dashboard show.
    public var label: String {
        switch self {
        case .delivered: "delivered"
        case .pending: "pending"
        case .failing: "failing"
        }
    }
}
