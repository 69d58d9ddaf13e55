@testable import CallTopCore
import CallTopWebhooks
import Foundation
import Testing

/// What sync keeps between runs: marks, the cursor of an interrupted run, rejected items.
@Suite struct SyncBookkeepingContractTests {
    @Test(arguments: StoreEngine.allCases)
    func aSyncMarkRoundTrips(engine: StoreEngine) throws {
        let store = try engine.makeStore()
        #expect(try store.syncMark("last_sync") == nil)
        try store.setSyncMark("last_sync", t0)
        #expect(try store.syncMark("last_sync") == t0)
        try store.setSyncMark("last_sync", t0.addingTimeInterval(0.25))
        #expect(try store.syncMark("last_sync") == t0.addingTimeInterval(0.25))
        #expect(try store.syncMark("other") == nil)
    }

    @Test(arguments: StoreEngine.allCases)
    func aSyncCursorRoundTripsAndIsCleared(engine: StoreEngine) throws {
        let store = try engine.makeStore()
        #expect(try store.syncCursor("last_sync") == nil)
        let calls = SyncCursor(phase: .calls, pageURI: "/2010-04-01/Accounts/AC1/Calls.json?PageToken=PA1&Page=1", windowStart: "2027-01-15")
        try store.setSyncCursor("last_sync", calls, now: t0)
        #expect(try store.syncCursor("last_sync") == calls)
        let recordings = SyncCursor(phase: .recordings, pageURI: "/2010-04-01/Accounts/AC1/Recordings.json?PageToken=PA2", windowStart: nil)
        try store.setSyncCursor("last_sync", recordings, now: t0.addingTimeInterval(1))
        #expect(try store.syncCursor("last_sync") == recordings)
        try store.setSyncCursor("last_sync", nil, now: t0.addingTimeInterval(2))
        #expect(try store.syncCursor("last_sync") == nil)
    }

    @Test(arguments: StoreEngine.allCases)
    func rejectedItemsAreListedNewestFirst(engine: StoreEngine) throws {
        let store = try engine.makeStore()
        #expect(try store.syncRejects().isEmpty)
        try store.recordSyncRejects([RejectedItem(index: 0, reason: "bad sid", sid: "RE-not-a-sid"), RejectedItem(index: 3, reason: "no sid", sid: nil)],
                                    pageURI: "/page1", now: t0)
        try store.recordSyncRejects([RejectedItem(index: 1, reason: "bad date", sid: recordingSid(9))], pageURI: "/page2", now: t0.addingTimeInterval(1))
        let all = try store.syncRejects().map { "\($0.sid)|\($0.reason)" }
        #expect(all == ["\(recordingSid(9))|bad date", "|no sid", "RE-not-a-sid|bad sid"])
        #expect(try store.syncRejects(limit: 1).map(\.reason) == ["bad date"])
    }
}
