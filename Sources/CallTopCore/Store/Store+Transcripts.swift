import Foundation
import GRDB

extension Store {
    /// The transcript that counts for a call: any non-empty offline transcript
    /// wins; otherwise the newest realtime one, with the reason it won.
    public func authoritativeTranscript(_ callSid: String) throws -> AuthoritativeTranscript? {
        try db.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM transcripts WHERE call_sid = ? ORDER BY created_at DESC", arguments: [callSid])
            let offline = rows.first { $0["source"] == "offline" && !($0["text"] as String).trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
            if let offline {
                return AuthoritativeTranscript(source: .offline, reason: "offline", text: offline["text"], engine: offline["engine"],
                                               createdAt: Date(timeIntervalSince1970: offline["created_at"]))
            }
            if let realtime = rows.first(where: { $0["source"] == "realtime" && !($0["text"] as String).isEmpty }) {
                return AuthoritativeTranscript(source: .realtime, reason: "offline pending → realtime", text: realtime["text"],
                                               engine: realtime["origin"], createdAt: Date(timeIntervalSince1970: realtime["created_at"]))
            }
            return nil
        }
    }
}
