import CallTopCore
import CallTopSimulator
import CallTopTestSupport
import Foundation
import Synchronization
import Testing
@testable import CallTopTUI

/// The dashboard stays quick while a backlog drains and while `/` filters a
/// large list. Bounds are on the CPU a frame costs, for debug builds; `make
/// bench` measures release frames in wall time against the 16 ms goals.
@Suite(.serialized) struct BacklogResponsivenessTests {
    static let size = TerminalSize(columns: 120, rows: 40)

    func keystroke(_ state: inout DashboardState, _ key: Key) -> Double {
        threadCPUMilliseconds {
            _ = update(&state, .key(key))
            _ = render(state, size: Self.size, now: Fixture.now, timeZone: Fixture.utc)
        }
    }

    @Test func filterKeystrokesStayQuickAtAHundredThousandCalls() {
        let rows = (0..<100_000).map { i in
            CallRow(callSid: String(format: "CA%032x", i), from: "+1415555\(String(format: "%04d", i % 10_000))", to: "+14155550100",
                    direction: "inbound", callStatus: "completed", startTime: Fixture.now.addingTimeInterval(Double(-i)), durationS: 30,
                    recordingSid: String(format: "RE%032x", i), downloadState: i % 7 == 0 ? .failed : .downloaded)
        }
        var state = Fixture.state(rows: rows)
        _ = keystroke(&state, .character("/"))
        var times: [Double] = []
        for key in "5551".map({ Key.character($0) }) + [.backspace, .backspace] { times.append(keystroke(&state, key)) }
        #expect(state.visible.count == rows.filter { $0.from.contains("55") || $0.callSid.contains("55") || $0.recordingSid!.contains("55") }.count)
        #expect(times.max()! < 150, "keystrokes took \(times.map { Int($0) }) ms")
    }

    @Test func framesStayQuickWhileABacklogDrains() async throws {
        var config = SimulatorConfig(callCount: 150)
        config.latencyMs = 10
        config.maxConcurrent = 8
        let simulator = TwilioSimulator(config: config)
        _ = try await simulator.start()
        defer { Task { await simulator.stop() } }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("calltop-backlog-\(UUID().uuidString.prefix(8))")
        let workspace = try Workspace(dataDir: dir, host: try TwilioHost(apiBaseURL: simulator.baseURL),
                                      credentials: try Credentials(accountSid: config.accountSid, authToken: config.authToken), keepLogInMemory: true)
        _ = try await workspace.syncService().run()
        let sids = try workspace.store.recordingSids(inState: [.pending])
        let runner = try workspace.downloadRunner(maxConcurrency: 32)
        let work = Task { await runner.run(sids, options: .init(concurrency: 32, wait: 30)) }

        var state = Fixture.state(rows: try workspace.store.callRows())
        var frames: [Double] = []
        var lastLoad = Date.distantPast
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if Date().timeIntervalSince(lastLoad) > 0.1 {
                let rows = try workspace.store.callRows()
                lastLoad = Date()
                frames.append(threadCPUMilliseconds {
                    _ = update(&state, .tick(now: Date()))
                    _ = update(&state, .rowsLoaded(rows))
                    _ = render(state, size: Self.size, now: Date(), timeZone: Fixture.utc)
                })
                if rows.allSatisfy({ $0.downloadState != .pending && $0.downloadState != .downloading && $0.downloadState != .retrying }) { break }
            }
            try await Task.sleep(for: .milliseconds(16))
        }
        let summary = await work.value
        #expect(summary.byState[.downloaded] == sids.count)
        let p99 = frames.sorted()[min(frames.count - 1, frames.count * 99 / 100)]
        #expect(frames.count >= 3)
        #expect(p99 < 100, "frame p99 \(p99) ms over \(frames.count) frames")
    }
}
