import Foundation
import GRDB

/// A row of `recordings`: Twilio's metadata, the download's state and file,
/// its lease, and the encryption details Twilio published (#15).
struct RecordingRecord: CallTopRecord {
    static let databaseTableName = "recordings"
    var sid: String
    var callSid: String?
    var accountSid: String?
    var status: String
    var durationS: Int?
    var channels: Int?
    var source: String?
    var errorCode: Int?
    var startTime: Date?
    var dateCreated: Date?
    var uri: String?
    var track: String?
    var downloadState: DownloadState
    var bytes: Int64?
    var expectedBytes: Int64?
    var path: String?
    var sha256: String?
    var attempts: Int
    var transientFailures: Int
    var notReadyTries: Int
    var notReadySince: Date?
    var lastError: String?
    var nextRetryAt: Date?
    var updatedAt: Date
    var fileName: String?
    var leaseOwner: String?
    var leaseExpiresAt: Date?
    var metadataAt: Date?
    var encryptionType: String?
    var publicKeySid: String?
    var encryptedCek: String?
    var encryptionIv: String?

    /// A recording seen for the first time, in the state Twilio's status gives it.
    init(sid: String, callSid: String?, accountSid: String?, status: String, durationS: Int?, channels: Int?, source: String?,
         errorCode: Int?, startTime: Date?, dateCreated: Date?, uri: String?, track: String?,
         state: DownloadState, lastError: String?, now: Date) {
        self.sid = sid; self.callSid = callSid; self.accountSid = accountSid; self.status = status
        self.durationS = durationS; self.channels = channels; self.source = source; self.errorCode = errorCode
        self.startTime = startTime; self.dateCreated = dateCreated; self.uri = uri; self.track = track
        downloadState = state; self.lastError = lastError
        nextRetryAt = state == .notReady ? now : nil
        bytes = nil; expectedBytes = nil; path = nil; sha256 = nil
        attempts = 0; transientFailures = 0; notReadyTries = 0; notReadySince = nil
        updatedAt = now; fileName = nil; leaseOwner = nil; leaseExpiresAt = nil; metadataAt = now
        encryptionType = nil; publicKeySid = nil; encryptedCek = nil; encryptionIv = nil
    }

    var encryption: EncryptionDetails? {
        guard let publicKeySid, let encryptedCek, let encryptionIv else { return nil }
        return EncryptionDetails(type: encryptionType ?? "", publicKeySid: publicKeySid, encryptedCek: encryptedCek, iv: encryptionIv)
    }
}

extension DownloadState: DatabaseValueConvertible {}
