import CallTopCore
import Foundation

/// A recording status callback, parsed and checked: every SID has the right
/// prefix and 32 hex digits before it is used in SQL, a path or a URL.
public struct RecordingStatusCallback: Sendable, Equatable {
    public static let statuses: Set<String> = ["in-progress", "completed", "absent", "failed"]
    public var facts: RecordingCallbackFacts

    public enum Problem: Error, Equatable, CustomStringConvertible {
        case invalidField(String)
        public var description: String {
            switch self { case .invalidField(let name): "missing or invalid \(name)" }
        }
    }

    public init(_ form: FormParameters) throws(Problem) {
        guard let account = form["AccountSid"], SID.isValid(account, prefix: "AC") else { throw .invalidField("AccountSid") }
        guard let call = form["CallSid"], SID.isValid(call, prefix: "CA") else { throw .invalidField("CallSid") }
        guard let recording = form["RecordingSid"], SID.isValid(recording, prefix: "RE") else { throw .invalidField("RecordingSid") }
        guard let status = form["RecordingStatus"], Self.statuses.contains(status) else { throw .invalidField("RecordingStatus") }
        let int = { (name: String) -> Int? in form[name].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } }
        facts = RecordingCallbackFacts(
            accountSid: account, callSid: call, recordingSid: recording, status: status,
            durationS: int("RecordingDuration").flatMap { $0 >= 0 ? $0 : nil }, channels: int("RecordingChannels"),
            source: form["RecordingSource"].map { String($0.prefix(64)) }, track: form["RecordingTrack"].map { String($0.prefix(32)) },
            startTime: form["RecordingStartTime"].flatMap(RFC2822Date.parse), errorCode: int("ErrorCode").flatMap { $0 == 0 ? nil : $0 },
            encryption: form["EncryptionDetails"].flatMap(EncryptionDetails.init(json:)))  // #15
    }
}
