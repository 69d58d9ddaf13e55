import CallTopCore
import Foundation
import Testing
@testable import CallTopTUI

@Suite("render: screens as text")
struct RenderSnapshotTests {
    private func screen(_ state: DashboardState, _ columns: Int, _ rows: Int) -> ScreenBuffer {
        render(state, size: TerminalSize(columns: columns, rows: rows), now: Fixture.now, timeZone: Fixture.utc)
    }

    private func withSize(_ state: DashboardState, _ columns: Int, _ rows: Int) -> DashboardState {
        var state = state
        _ = update(&state, .resize(TerminalSize(columns: columns, rows: rows)))
        return state
    }

    @Test func main120x40() {
        var state = Fixture.state()
        _ = update(&state, .key(.character(" "))) // mark the first call, select the second
        _ = update(&state, .key(.down))
        _ = update(&state, .key(.down)) // the failed-for-good call, showing why on the status line
        _ = update(&state, .key(.down))
        let buffer = screen(state, 120, 40)
        assertSnapshot(buffer.lines(), named: "main-120x40")
        assertSnapshot(buffer.roleLines(), named: "main-120x40.roles")
    }

    @Test func main80x24() {
        let state = withSize(Fixture.state(readonly: false), 80, 24)
        assertSnapshot(screen(state, 80, 24).lines(), named: "main-80x24")
    }

    @Test func mainReadonlyPaused60x15() {
        var state = withSize(Fixture.state(readonly: true), 60, 15)
        _ = update(&state, .key(.character("p")))
        _ = update(&state, .key(.character("r")))
        assertSnapshot(screen(state, 60, 15).lines(), named: "main-readonly-paused-60x15")
    }

    @Test func detail() {
        var state = Fixture.state()
        for _ in 0..<4 { _ = update(&state, .key(.down)) }
        _ = update(&state, .key(.enter))
        _ = update(&state, .detailLoaded(Fixture.detail(for: state.selectedRow!)))
        assertSnapshot(screen(state, 120, 40).lines(), named: "detail-120x40")
        state = withSize(state, 80, 24)
        _ = update(&state, .key(.pageDown))
        assertSnapshot(screen(state, 80, 24).lines(), named: "detail-80x24-scrolled")
    }

    @Test func detailWhileLoading() {
        var state = Fixture.state()
        _ = update(&state, .key(.enter))
        assertSnapshot(screen(state, 80, 24).lines(), named: "detail-loading-80x24")
    }

    @Test func help() {
        var state = Fixture.state()
        _ = update(&state, .key(.character("?")))
        assertSnapshot(screen(state, 120, 40).lines(), named: "help-120x40")
    }

    @Test func filterInput() {
        var state = Fixture.state()
        _ = update(&state, .key(.character("/")))
        for c in "re:^CA0+[35]$" { _ = update(&state, .key(.character(c))) }
        assertSnapshot(screen(state, 80, 24).lines(), named: "filter-80x24")
        _ = update(&state, .key(.character("(")))
        assertSnapshot(screen(state, 80, 24).lines(), named: "filter-bad-regex-80x24")
    }

    @Test func confirm() {
        var state = Fixture.state()
        _ = update(&state, .key(.character("R")))
        assertSnapshot(screen(state, 80, 24).lines(), named: "confirm-80x24")
    }

    @Test func tooSmall() {
        let state = Fixture.state()
        assertSnapshot(screen(state, 59, 15).lines(), named: "too-small-59x15")
        assertSnapshot(screen(state, 40, 10).lines(), named: "too-small-40x10")
        #expect(!screen(state, 60, 15).lines().joined().contains("too small"))
    }

    @Test func logPane() {
        var state = Fixture.state()
        let lines = [
            "[OFFLINE_STT] Original recording_url for \(Fixture.sid("CA", 3)): /2010-04-01/Accounts/\(Fixture.account)/Recordings/\(Fixture.sid("RE", 3)).json",
            "[OFFLINE_STT] Extracted recording SID: \(Fixture.sid("RE", 3))",
            "[OFFLINE_STT] Downloading recording via Twilio client: https://api.dublin.ie1.twilio.com/2010-04-01/Accounts/\(Fixture.account)/Recordings/\(Fixture.sid("RE", 3)).mp3",
            "[OFFLINE_STT] Download status: 200, bytes=1482112",
            "[OFFLINE_STT] Recording saved to disk: recordings/\(Fixture.sid("CA", 3)).mp3 (1482112 bytes)",
            "[OFFLINE_STT] Download failed with status 404",
        ]
        for line in lines { _ = update(&state, .core(.log(line: line))) }
        _ = update(&state, .key(.character("l")))
        assertSnapshot(screen(state, 120, 40).lines(), named: "log-pane-120x40")
        assertSnapshot(screen(withSize(state, 80, 24), 80, 24).lines(), named: "log-pane-80x24")
    }

    @Test func emptyStates() {
        var state = DashboardState(context: Fixture.context())
        #expect(screen(state, 80, 24).lines().joined().contains("loading calls…"))
        _ = update(&state, .rowsLoaded([]))
        #expect(screen(state, 80, 24).lines().joined().contains("no calls in the store yet"))
    }

    @Test func everySizeFromMinimumUpRendersWithinBounds() {
        var state = Fixture.state()
        _ = update(&state, .key(.character("l")))
        for columns in stride(from: 20, through: 200, by: 7) {
            for rows in stride(from: 5, through: 60, by: 5) {
                let lines = screen(withSize(state, columns, rows), columns, rows).lines()
                #expect(lines.count == rows)
                for line in lines { #expect(DisplayWidth.of(line) <= columns) }
            }
        }
    }
}

@Suite("render: calls with several recordings")
struct MultiRecordingRowTests {
    let format = Formatting(timeZone: Fixture.utc)

    func row(_ state: DownloadState, count: Int, next: Date? = nil) -> CallRow {
        CallRow(callSid: "CA1", from: "+1", to: "+2", direction: "inbound", callStatus: "completed", startTime: Fixture.now,
                durationS: 30, recordingSid: "RE1", downloadState: state, nextRetryAt: next, recordingCount: count)
    }

    @Test func theStateCellSaysHowManyRecordingsACallHas() {
        #expect(ListView.stateCell(row(.failed, count: 2), progress: nil, format: format).0 == "failed 2 rec")
        #expect(ListView.stateCell(row(.downloaded, count: 1), progress: nil, format: format).0 == "downloaded")
        // Too long with the time: the count wins, the detail view has the time.
        let waiting = ListView.stateCell(row(.retrying, count: 3, next: Fixture.now), progress: nil, format: format).0
        #expect(waiting == "retrying 3 rec")
        #expect(waiting.count <= ListColumn.state.preferredWidth)
    }

    @Test func theListShowsTheMark() {
        var rows = Fixture.rows()
        rows[2].recordingCount = 2
        let state = Fixture.state(rows: rows)
        let screen = render(state, size: TerminalSize(columns: 120, rows: 40), now: Fixture.now, timeZone: Fixture.utc)
        #expect(screen.lines().contains { $0.contains(" 2 rec") })
    }
}
