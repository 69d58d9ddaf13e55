import Foundation
import GRDB

/// Where an interrupted sync goes on from, and the list items it could not read.
public struct SyncCursor: Sendable, Equatable {
    public enum Phase: String, Sendable, Codable, DatabaseValueConvertible { case calls, recordings }
    public var phase: Phase
    public var pageURI: String
    public var windowStart: String?
}
