import CallTopCore
import Foundation
import Testing
@testable import CallTopCore
@testable import CallTopTUI

/// With a large store the first frame comes from a page plus the store's
/// totals; the header says so until the full list is in.
@Suite struct FirstPageTests {
    func fresh() -> (DashboardState, [DashboardEffect]) {
        var state = DashboardState(context: Fixture.context(readonly: false, transcription: true))
        _ = update(&state, .resize(TerminalSize(columns: 120, rows: 40)))
        let effects = update(&state, .tick(now: Fixture.now))
        return (state, effects)
    }

    @Test func theFirstLoadAsksForAPageAndTheFullList() {
        var (state, effects) = fresh()
        #expect(effects.contains(.loadFirstPage) && effects.contains(.loadRows))
        _ = update(&state, .rowsLoaded(Fixture.rows()))
        let later = update(&state, .core(.callChanged(callSid: Fixture.rows()[0].callSid)))
        #expect(later == [.loadRows])
    }

    @Test func thePageShowsTheStoresTotalsUntilTheFullListArrives() {
        var (state, _) = fresh()
        let all = Fixture.rows()
        let page = ListPage(rows: Array(all.prefix(3)), totalCalls: 100_000, counts: [.downloaded: 90_000, .failed: 10_000])
        _ = update(&state, .firstPageLoaded(page))
        #expect(state.rows.count == 3 && state.totalCalls == 100_000)
        let screen = render(state, size: TerminalSize(columns: 120, rows: 40), now: Fixture.now, timeZone: Fixture.utc).lines().joined(separator: "\n")
        #expect(screen.contains("100000 calls (loading)"))
        #expect(screen.contains("failed 10000"))
        _ = update(&state, .rowsLoaded(all))
        #expect(state.totalCalls == nil && state.rows.count == all.count)
        let after = render(state, size: TerminalSize(columns: 120, rows: 40), now: Fixture.now, timeZone: Fixture.utc).lines().joined(separator: "\n")
        #expect(after.contains("\(all.count) calls") && !after.contains("(loading)"))
    }

    @Test func aPageArrivingAfterTheFullListIsIgnored() {
        var (state, _) = fresh()
        let all = Fixture.rows()
        _ = update(&state, .rowsLoaded(all))
        _ = update(&state, .firstPageLoaded(ListPage(rows: [], totalCalls: 5, counts: [:])))
        #expect(state.rows.count == all.count && state.totalCalls == nil)
    }
}
