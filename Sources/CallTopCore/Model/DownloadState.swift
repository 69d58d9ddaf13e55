/// One recording's download state, as DESIGN.md names them.
public enum DownloadState: String, Codable, CaseIterable, Sendable {
    case pending
    case downloading
    case downloaded
    case notReady = "not_ready"
    case retrying
    case failed
    case absent

    /// Which state needs a person's attention first, across a call's
    /// recordings: a call with one failed recording is a failed call.
    public static let byAttention: [DownloadState] = [.failed, .retrying, .notReady, .downloading, .pending, .downloaded, .absent]

    /// The state of a call with these recordings: the one that needs attention first.
    public static func needingAttention(_ states: some Sequence<DownloadState>) -> DownloadState? {
        states.min { byAttention.firstIndex(of: $0)! < byAttention.firstIndex(of: $1)! }
    }

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
