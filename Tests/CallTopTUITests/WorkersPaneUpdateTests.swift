import CallTopCore
import Foundation
import Testing
@testable import CallTopTUI

@Suite("update: the workers pane")
struct WorkersPaneUpdateTests {
    private func press(_ state: inout DashboardState, _ keys: Key...) -> [DashboardEffect] {
        keys.flatMap { update(&state, .key($0)) }
    }

    private func teamState(size: TerminalSize = TerminalSize(columns: 120, rows: 40)) -> DashboardState {
        var state = Fixture.state(size: size, team: true)
        _ = update(&state, .workersLoaded(Fixture.workers()))
        return state
    }

    @Test func wOpensThePaneAndEscQOrWCloseIt() {
        var state = teamState()
        for close in [Key.escape, .character("q"), .character("w")] {
            #expect(press(&state, .character("w")).isEmpty)
            #expect(state.mode == .workers(returnTo: .main))
            #expect(press(&state, close).isEmpty, "\(close.label) goes back, it does not quit")
            #expect(state.mode == .main)
        }
        _ = press(&state, .character("w"))
        #expect(press(&state, .control("c")) == [.quit])
    }

    @Test func fromTheDetailViewItGoesBackToTheCall() {
        var state = teamState()
        _ = press(&state, .enter)
        let sid = Fixture.sid("CA", 1)
        #expect(state.mode == .detail(callSid: sid))
        _ = press(&state, .character("w"))
        #expect(state.mode == .workers(returnTo: .detail(callSid: sid)))
        _ = press(&state, .escape)
        #expect(state.mode == .detail(callSid: sid))
    }

    @Test func keysForCallsDoNothingBehindThePane() {
        var state = teamState()
        _ = press(&state, .character("w"))
        for key in [Key.character("r"), .character("d"), .character("t"), .character("R"), .enter, .character("/")] {
            #expect(press(&state, key).isEmpty)
            #expect(state.mode == .workers(returnTo: .main))
        }
        #expect(state.status?.text == "w, Esc or q closes the workers list")
        _ = press(&state, .character("j"), .character("j"))
        #expect(state.selectedSid == Fixture.sid("CA", 1), "j/k scroll the pane, they do not move the selection")
    }

    @Test func scrollingStaysInsideTheList() {
        var state = teamState(size: TerminalSize(columns: 80, rows: 10))  // below the minimum: 4 body rows
        _ = press(&state, .character("w"))
        _ = press(&state, .character("G"))
        #expect(state.workersScroll == Fixture.workers().count - state.layout.bodyRows)
        _ = press(&state, .down, .down)
        #expect(state.workersScroll == Fixture.workers().count - state.layout.bodyRows)
        _ = press(&state, .character("g"), .up)
        #expect(state.workersScroll == 0)
    }

    @Test func readonlyMayLookAtTheWorkers() {
        var state = Fixture.state(readonly: true, team: true)
        _ = press(&state, .character("w"))
        #expect(state.mode == .workers(returnTo: .main))
    }

    @Test func workersArriveWithTheRowsAndTheFooterOffersThePane() {
        var state = Fixture.state()
        #expect(!state.workersLoaded && !Footer.items(for: state).contains { $0.key == "w" })
        _ = update(&state, .workersLoaded(Fixture.workers()))
        #expect(state.workersLoaded && state.workers.count == Fixture.workers().count)
        #expect(Footer.items(for: state).prefix(3).map(\.key) == ["q", "?", "w"])
        #expect(Footer.items(for: Fixture.state(team: true)).contains { $0.key == "w" }, "team mode: always")
    }
}
