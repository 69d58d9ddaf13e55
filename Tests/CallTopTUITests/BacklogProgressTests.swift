import CallTopCore
import Foundation
import Testing
@testable import CallTopTUI

@Suite("backlog progress: rate and ETA in the header")
struct BacklogProgressTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func drainsAtAMeasuredRateWithAnETA() {
        var p = BacklogProgress()
        p.observe(waiting: 2_000, at: t0)
        #expect(p.label == nil)  // nothing has moved yet
        p.observe(waiting: 1_960, at: t0.addingTimeInterval(1))
        #expect(p.done == 40 && p.rate == 40)
        #expect(p.label == "40/2,000 · 40/s · ETA 0:49")
        p.observe(waiting: 1_900, at: t0.addingTimeInterval(2))
        #expect(p.rate == 0.7 * 40 + 0.3 * 60)
    }

    @Test func newWorkJoinsTheTotalAndAnEmptyBacklogEndsIt() {
        var p = BacklogProgress()
        p.observe(waiting: 10, at: t0)
        p.observe(waiting: 15, at: t0.addingTimeInterval(1))  // `R` pressed: five more
        #expect(p.total == 15 && p.done == 0)
        p.observe(waiting: 0, at: t0.addingTimeInterval(2))
        #expect(!p.isActive && p.label == nil)
    }

    @Test func longETAsShowHours() {
        #expect(BacklogProgress.clock(3_725) == "1:02:05")
        #expect(BacklogProgress.grouped(1_234_567) == "1,234,567")
    }

    @Test func theHeaderShowsItWhileDownloadsWait() {
        let rows = (0..<5).map { i in
            CallRow(callSid: String(format: "CA%032x", i), from: "+1", to: "+2", direction: "inbound", callStatus: "completed",
                    startTime: Fixture.now, durationS: 10, recordingSid: String(format: "RE%032x", i), downloadState: .pending)
        }
        var state = Fixture.state(rows: rows)
        _ = update(&state, .tick(now: Fixture.now.addingTimeInterval(5)))
        var later = rows
        later[0].downloadState = .downloaded
        later[1].downloadState = .downloaded
        _ = update(&state, .rowsLoaded(later))
        let header = render(state, size: TerminalSize(columns: 120, rows: 40), now: Fixture.now, timeZone: Fixture.utc).lines()[2]
        #expect(header.contains("2/5 ·"), "\(header)")
        #expect(header.contains("ETA"))
    }
}
