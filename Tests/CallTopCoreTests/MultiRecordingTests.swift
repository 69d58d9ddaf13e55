import CallTopSimulator
import Foundation
import Testing
@testable import CallTopCore

/// Calls with more than one recording: every recording visible in the list,
/// the call's state the one that needs attention first, and file names that
/// never change hands.
@Suite(.serialized) struct MultiRecordingTests {
    /// A call of the simulator's with two recordings: (older, newer).
    func twoRecordingCall(_ h: SimulatorHarness) throws -> (SimulatedRecording, SimulatedRecording) {
        let byCall = Dictionary(grouping: h.simulator.recordings(), by: \.callSid)
        let pair = try #require(byCall.values.first { $0.count == 2 && $0.allSatisfy { $0.status == "completed" } })
        let sorted = pair.sorted { $0.startTime < $1.startTime }
        return (sorted[0], sorted[1])
    }

    @Test func aLaterArrivalWithAnEarlierDateNeverOverwritesAFile() async throws {
        let h = try await SimulatorHarness.start(calls: 40)
        defer { Task { await h.stop() } }
        let (older, newer) = try twoRecordingCall(h)
        let targets = DownloadTargets(client: try h.workspace.client(), store: h.store, logger: h.workspace.logger)
        // As with `serve`: the whole-call recording's callback arrives (and is downloaded) first…
        let first = try await targets.resolve([.recording(newer.sid)])
        _ = try await h.download(first)
        let newerRow = try #require(try h.store.recording(newer.sid))
        #expect(newerRow.path == "recordings/\(newer.callSid).mp3")
        // …then the <Record> leg that finished earlier: the primary by date, but the name is taken.
        let second = try await targets.resolve([.recording(older.sid)])
        _ = try await h.download(second)
        let olderRow = try #require(try h.store.recording(older.sid))
        #expect(olderRow.path == "recordings/\(older.callSid)-\(older.sid).mp3")
        for row in [newerRow, olderRow] {
            let path = try #require(row.path)
            #expect(FileDigest.sha256(of: h.fileURL(path)) == row.sha256, "\(path) no longer holds what was downloaded")
        }
        #expect(try RecordingVerifier(store: h.store).verify(rehash: true).problems.isEmpty)
        #expect(try h.store.callRow(older.callSid)?.recordingSid == older.sid)
    }

    @Test func listShowsEveryRecordingAndTheCallsMostUrgentState() async throws {
        let h0 = try await SimulatorHarness.start(calls: 40)
        let (older, newer) = try twoRecordingCall(h0)
        await h0.stop()
        // The newer recording is served an XML error body: it fails, the older one downloads.
        let h = try await SimulatorHarness.start(["xml_error@\(newer.sid)"], calls: 40)
        defer { Task { await h.stop() } }
        _ = try await h.sync()
        _ = try await h.download([older.sid, newer.sid])
        let rows = try h.store.callRows(withRecordings: true)
        let row = try #require(rows.first { $0.callSid == older.callSid })
        #expect(row.recordingSid == older.sid)
        #expect(row.downloadState == .failed)
        #expect(row.recordingCount == 2)
        #expect(row.recordings.map(\.recordingSid) == [older.sid, newer.sid])
        #expect(row.recordings.map(\.downloadState) == [.downloaded, .failed])
        #expect(row.recordings[0].sha256 != nil && row.recordings[0].bytes != nil && row.recordings[1].lastError != nil)
        // --state matches a call when any of its recordings is in that state.
        #expect(try h.store.callRows(state: .failed).map(\.callSid) == [older.callSid])
        #expect(try h.store.callRows(state: .downloaded).contains { $0.callSid == older.callSid })
        #expect(try h.store.callCountsByState().byState[.failed] == 1)

        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(row)) as! [String: Any]
        let recordings = try #require(json["recordings"] as? [[String: Any]])
        #expect(recordings.count == 2)
        #expect(Set(recordings[0].keys) == ["recording_sid", "download_state", "bytes", "expected_bytes", "attempts", "last_error",
                                            "next_retry_at", "path", "sha256", "channels", "duration_s"])
    }

    @Test func downloadingACallFetchesAllOfItsRecordings() async throws {
        let h = try await SimulatorHarness.start(calls: 40)
        defer { Task { await h.stop() } }
        let (older, newer) = try twoRecordingCall(h)
        // Nothing synced: the store knows neither recording.
        let targets = DownloadTargets(client: try h.workspace.client(), store: h.store, logger: h.workspace.logger)
        let sids = try await targets.resolve([.call(older.callSid)])
        #expect(Set(sids) == [older.sid, newer.sid])
        let summary = try await h.download(sids)
        #expect(summary.byState[.downloaded] == 2)
    }

    @Test func attentionOrderIsTheDocumentedOne() {
        #expect(DownloadState.byAttention == [.failed, .retrying, .notReady, .downloading, .pending, .downloaded, .absent])
        #expect(Set(DownloadState.byAttention) == Set(DownloadState.allCases))
        #expect(DownloadState.needingAttention([.downloaded, .absent]) == .downloaded)
        #expect(DownloadState.needingAttention([.pending, .notReady, .downloaded]) == .notReady)
        #expect(DownloadState.needingAttention([]) == nil)
    }

    /// The SQL that ranks states is derived from the Swift order; this pins the two together on every pair.
    @Test func storeAndSwiftAgreeOnEveryPairOfStates() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let store = try Store(dataDir: temporaryDirectory())
        var n = 0
        var expected: [String: DownloadState] = [:]
        for a in DownloadState.allCases {
            for b in DownloadState.allCases {
                n += 1
                let call = String(format: "CA%032x", n)
                try store.upsertCalls([TwilioCall(sid: call, from: "", to: "", direction: "", status: "completed", startTime: now)], now: now)
                let recs = [(a, 2 * n), (b, 2 * n + 1)].map { state, k in
                    TwilioRecording(sid: String(format: "RE%032x", k), callSid: call, status: "completed", dateCreated: now.addingTimeInterval(Double(k)))
                }
                try store.upsertRecordings(recs, now: now)
                try store.forceState([a, b], sids: recs.map(\.sid))
                expected[call] = DownloadState.needingAttention([a, b])
            }
        }
        for row in try store.callRows() { #expect(row.downloadState == expected[row.callSid], "\(row.callSid)") }
    }
}

extension Store {
    /// Test-only: put recordings straight into states.
    func forceState(_ states: [DownloadState], sids: [String]) throws {
        try db.write { db in
            for (state, sid) in zip(states, sids) {
                try db.execute(sql: "UPDATE recordings SET download_state = ? WHERE sid = ?", arguments: [state.rawValue, sid])
            }
        }
    }
}
