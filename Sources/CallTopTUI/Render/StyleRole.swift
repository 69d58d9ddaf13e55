import CallTopCore

/// What a cell means, not how it looks: themes map each role to colours and
/// attributes, so the renderer never names a colour.
public enum StyleRole: String, CaseIterable, Sendable, Hashable {
    case normal
    case header
    case badge
    case columnHeader = "column_header"
    case selected
    case marked
    case downloaded
    case downloading
    case pending
    case notReady = "not_ready"
    case retrying
    case failed
    case absent
    case transcriptOffline = "transcript_offline"
    case transcriptRealtime = "transcript_realtime"
    case dim
    case label
    case title
    case status
    case error
    /// Something that will stop work unless someone acts (team mode without a live worker).
    case warning
    case footer
    case footerKey = "footer_key"
    case border
    case popup
    case filterInput = "filter_input"

    /// The role that colours a download state wherever it appears.
    public static func forState(_ state: DownloadState?) -> StyleRole {
        guard let state else { return .absent }
        switch state {
        case .pending: return .pending
        case .downloading: return .downloading
        case .downloaded: return .downloaded
        case .notReady: return .notReady
        case .retrying: return .retrying
        case .failed: return .failed
        case .absent: return .absent
        }
    }
}
