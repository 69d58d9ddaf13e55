/// One recording's download state, as DESIGN.md names them.
public enum DownloadState: String, Codable, CaseIterable, Sendable {
    case pending
    case downloading
    case downloaded
    case notReady = "not_ready"
    case retrying
    case failed
    case absent

    /// States the downloader will still act on without a user asking.
    public var isActive: Bool {
        switch self {
        case .pending, .downloading, .notReady, .retrying: return true
        case .downloaded, .failed, .absent: return false
        }
    }
}

public enum TranscriptSource: String, Codable, CaseIterable, Sendable {
    case offline
    case realtime
    case none
}
