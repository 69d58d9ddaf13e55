import Foundation

/// What Twilio's status for a recording (and its error code) means for the
/// download. The one mapping sync, status callbacks, the encryption columns
/// and the downloader share, so they cannot drift apart.
public struct RecordingStatusVerdict: Sendable, Equatable {
    /// The download state the recording is in after this news.
    public var state: DownloadState
    /// Why, when the state is final; nil while the media can still come.
    public var reason: String?
    /// What an attempt that read this status comes to; nil when the media can be fetched now.
    public var result: AttemptResult?

    public init(status: String?, errorCode: Int?) {
        let verdict = Self.judge(status: status, errorCode: errorCode)
        state = verdict.0
        reason = verdict.1
        result = verdict.2
    }

    private static func judge(status: String?, errorCode: Int?) -> (DownloadState, String?, AttemptResult?) {
        // A document without a status is taken as completed, as sync and the downloader always did.
        switch status ?? "completed" {
        case "completed":
            return (.pending, nil, nil)
        case "absent":
            return (.absent, DownloadReason.absent(code: errorCode), .absent(code: errorCode))
        case "deleted":
            return (.failed, DownloadReason.deleted, .deleted)
        case "failed" where errorCode == RecordingEncryptionError.notStoredNoValidKey:
            // #15: never stored, which is as final as absent.
            return (.absent, DownloadReason.absent(code: errorCode), .absent(code: errorCode))
        case "failed":
            let why = DownloadReason.failedOnTwilio(code: errorCode)
            return (.failed, why, .undecryptable(why))
        case let other:
            return (.notReady, nil, .notReady(status: other))
        }
    }

    /// Final news: nothing a later attempt can change.
    public var isFinal: Bool { state == .absent || state == .failed }
}

/// The reasons Twilio's own news gives, written once.
public enum DownloadReason {
    public static let deleted = "the recording was deleted on Twilio"

    public static func absent(code: Int?) -> String {
        "Twilio says the recording is absent" + (code.map { " (\($0): \(absentMeaning($0)))" } ?? "")
    }

    public static func failedOnTwilio(code: Int?) -> String {
        "Twilio says the recording failed" + (code.map { " (\($0)\(RecordingEncryptionError.meaning($0).map { ": \($0)" } ?? ""))" } ?? "")
    }

    public static func stillProcessing(status: String) -> String {
        "Twilio still processing (status \(status))"
    }

    private static func absentMeaning(_ code: Int) -> String {
        switch code {
        case 16101: return "too short"
        case 16102: return "silent"
        case RecordingEncryptionError.notStoredNoValidKey: return RecordingEncryptionError.meaning(code) ?? "not stored"
        default: return "no audio"
        }
    }
}
