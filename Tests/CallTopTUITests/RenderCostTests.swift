import CallTopCore
import Foundation
import Testing
@testable import CallTopTUI

@Suite("render cost does not grow with the number of calls")
struct RenderCostTests {
    private func state(rows count: Int) -> DashboardState {
        let states = DownloadState.allCases
        let rows = (0..<count).map { i in
            CallRow(callSid: Fixture.sid("CA", i), from: "+1415555\(1000 + i % 9000)", to: "+442071838750", direction: "inbound",
                    callStatus: "completed", startTime: Fixture.now.addingTimeInterval(Double(-i * 7)), durationS: i % 600,
                    recordingSid: Fixture.sid("RE", i), downloadState: states[i % states.count], bytes: Int64(i * 100),
                    nextRetryAt: Fixture.now, transcriptSource: i % 2 == 0 ? .offline : .realtime, transcriptChars: i % 900)
        }
        return Fixture.state(rows: rows, size: TerminalSize(columns: 120, rows: 40))
    }

    private func frameTime(_ state: DashboardState, frames: Int) -> Duration {
        let clock = ContinuousClock()
        let size = TerminalSize(columns: 120, rows: 40)
        return clock.measure {
            for i in 0..<frames {
                let buffer = render(state, size: size, now: Fixture.now.addingTimeInterval(Double(i)), timeZone: Fixture.utc)
                precondition(buffer.size == size)
            }
        }
    }

    @Test func hundredThousandRowsCostAboutTheSameAsAHundred() {
        var small = state(rows: 100)
        var large = state(rows: 100_000)
        // Somewhere in the middle, so the slice drawn is not a special case.
        _ = update(&small, .key(.character("G")))
        _ = update(&large, .key(.pageDown))
        _ = update(&large, .key(.pageDown))
        _ = frameTime(small, frames: 5)
        _ = frameTime(large, frames: 5)
        // Interleaved rounds, best of each: other tests run in parallel and add noise.
        var bestSmall = Duration.seconds(1000)
        var bestLarge = Duration.seconds(1000)
        for _ in 0..<5 {
            bestSmall = min(bestSmall, frameTime(small, frames: 20))
            bestLarge = min(bestLarge, frameTime(large, frames: 20))
        }
        let ratio = bestLarge / bestSmall
        // Loading is O(n log n) once per refresh, not per frame; printed for the record.
        let rows = large.rows
        var reloaded = large
        let reload = ContinuousClock().measure { _ = update(&reloaded, .rowsLoaded(rows)) }
        print("rowsLoaded with 100,000 calls (filter, sort, counts): \(reload)")
        print("render 120x40: 100 rows \(bestSmall / 20) per frame, 100,000 rows \(bestLarge / 20) per frame, ratio \(ratio)")
        #expect(ratio < 3, "a frame with 100,000 calls took \(ratio)× a frame with 100")
    }
}
