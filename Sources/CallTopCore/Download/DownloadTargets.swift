import Foundation
import Logging

/// Turns what the user named (RE…, CA…, recording URLs) into recording SIDs
/// in the store, fetching from Twilio what the store does not know yet.
public struct DownloadTargets: Sendable {
    let client: TwilioClient
    let store: any CallStore
    let logger: Logger

    public init(client: TwilioClient, store: any CallStore, logger: Logger) {
        self.client = client
        self.store = store
        self.logger = logger
    }

    public func resolve(_ references: [RecordingReference], now: Date = Date()) async throws -> [String] {
        var sids: [String] = []
        for reference in references {
            switch reference {
            case .recording(let sid):
                if try store.recording(sid) == nil {
                    let recording = try await client.fetchRecording(sid)
                    try await ensureCall(recording.callSid, now: now)
                    try store.upsertRecordings([recording], now: now)
                }
                sids.append(sid)
            case .call(let callSid):
                // Ask Twilio every time: a recording made after the last sync
                // (a second <Record> leg, say) is one of "all of the call's recordings".
                try await ensureCall(callSid, now: now)
                let page: TwilioPage<TwilioRecording> = try await client.getJSON(client.recordingsPageURI(createdOnOrAfter: nil, callSid: callSid, pageSize: 1000))
                try store.upsertRecordings(page.items, now: now)
                let known = try store.recordings(ofCall: callSid).map(\.sid)
                if known.isEmpty { logger.warning("[OFFLINE_STT] No recordings for \(callSid)") }
                sids.append(contentsOf: known)
            }
        }
        var seen = Set<String>()
        return sids.filter { seen.insert($0).inserted }
    }

    private func ensureCall(_ callSid: String?, now: Date) async throws {
        guard let callSid, try !store.callExists(callSid) else { return }
        let call = try await client.fetchCall(callSid)
        try store.upsertCalls([call], now: now)
    }
}
