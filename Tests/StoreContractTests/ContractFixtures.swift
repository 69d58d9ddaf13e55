@testable import CallTopCore
import CallTopTestSupport
import CallTopWebhooks
import Foundation
import Testing

// What the contract tests share: fixed times, SIDs, Twilio documents, owners,
// and the few steps (seeding, a finished download) most tests start from.

/// Every test's clock starts here; leases run out by passing a later `now`, never by sleeping.
let t0 = Date(timeIntervalSince1970: 1_800_000_000)

func callSid(_ n: Int) -> String { String(format: "CA%032x", n) }
func recordingSid(_ n: Int) -> String { String(format: "RE%032x", n) }
let accountSid = String(format: "AC%032x", 1)

/// Call `n` started `n` minutes before `t0`: the higher `n`, the older the call.
func twilioCall(_ n: Int, status: String = "completed", startTime: Date?? = nil) -> TwilioCall {
    TwilioCall(sid: callSid(n), accountSid: accountSid, from: "+1415555\(1000 + n)", to: "+1415555\(2000 + n)", direction: "inbound",
               status: status, startTime: startTime ?? t0.addingTimeInterval(Double(-n * 60)), durationS: 30)
}

/// Recording `n` of call `call`, created `created` seconds after `t0`.
func twilioRecording(_ n: Int, call: Int, status: String? = "completed", created: TimeInterval = 0) -> TwilioRecording {
    TwilioRecording(sid: recordingSid(n), accountSid: accountSid, callSid: callSid(call), status: status, durationS: 30, channels: 1,
                    source: "DialVerb", dateCreated: t0.addingTimeInterval(created),
                    uri: "/2010-04-01/Accounts/\(accountSid)/Recordings/\(recordingSid(n)).json")
}

func offline(_ text: String) -> OfflineTranscript {
    OfflineTranscript(text: text, segments: [TranscriptSegment(start: 0, end: 1, text: text, channel: 0)], language: "en",
                      audioSHA256: String(repeating: "ab", count: 32), model: "base", modelSHA256: String(repeating: "cd", count: 32),
                      engine: "test", settingsJSON: "{}", audioSeconds: 1, processingSeconds: 0.1)
}

func attempt(_ sid: String, at: Date, http: Int? = 200, bytes: Int64 = 0, error: String? = nil) -> DownloadAttempt {
    DownloadAttempt(recordingSid: sid, startedAt: at, httpStatus: http, twilioCode: nil, bytes: bytes, durationMs: 7, error: error)
}

let sha = String(repeating: "5a", count: 32)

extension LeaseOwner {
    /// Owners on other hosts: judged by their leases alone, never as dead processes of this one.
    static let elsewhere = LeaseOwner(host: "elsewhere.example", pid: 4242, token: "b0b0b0b0")
    static let third = LeaseOwner(host: "third.example", pid: 77, token: "c0c0c0c0")
    static func racer(_ i: Int) -> LeaseOwner { LeaseOwner(host: "racer-\(i).example", pid: Int32(1000 + i), token: "racer\(i)") }
}

extension StoreEngine {
    /// The same store as another process sees it: on SQLite a second `Store`
    /// on the same directory, on PostgreSQL a second `PostgresStore` (its own
    /// connections) on the same database.
    func open(beside store: any WebhookStore, owner: LeaseOwner, lease: LeaseTerms? = nil) throws -> any WebhookStore {
        switch self {
        case .sqlite:
            return try Store(dataDir: store.dataDir, owner: owner, lease: lease ?? store.lease)
        case .postgres:
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("calltop-contract-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            return try PostgresStore(url: (store as! PostgresStore).url, dataDir: dir, owner: owner, lease: lease ?? store.lease)
        }
    }
}

extension CallStore {
    /// Calls `numbers`, each with one completed recording of the same number, seen at `t0`.
    func seed(_ numbers: ClosedRange<Int>) throws {
        try upsertCalls(numbers.map { twilioCall($0) }, now: t0)
        try upsertRecordings(numbers.map { twilioRecording($0, call: $0) }, now: t0)
    }

    /// Claims recording `n` and records a successful download of it, as the downloader does.
    @discardableResult
    func markDownloaded(_ n: Int, now: Date = t0, bytes: Int64 = 1234) async throws -> StoredRecording {
        let claimed = try #require(try await claimDownload(recordingSid(n), now: now), "recording \(n) could not be claimed")
        let name = try #require(claimed.fileName)
        #expect(try await recordAttempt(attempt(recordingSid(n), at: now, bytes: bytes), decision: .downloaded, memory: RetryMemory(),
                                        file: SavedFile(relativePath: name, bytes: bytes, sha256: sha), expectedBytes: bytes, now: now))
        return try #require(try recording(recordingSid(n)))
    }
}
