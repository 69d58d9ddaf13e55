import CallTopCore
import Foundation
import Testing
@testable import CallTopTUI

@Suite("render: team mode and workers")
struct TeamModeRenderTests {
    private func screen(_ state: DashboardState, _ columns: Int, _ rows: Int) -> ScreenBuffer {
        render(state, size: TerminalSize(columns: columns, rows: rows), now: Fixture.now, timeZone: Fixture.utc)
    }

    /// The fixture calls as a team sees them: one worker downloads a call, another transcribes one.
    static func rows() -> [CallRow] {
        var rows = Fixture.rows()
        rows[0].worker = "worker-a"         // CA…1, downloading
        rows[2].worker = "gpu-transcriber"  // CA…3, downloaded: being transcribed again
        return rows
    }

    /// Team mode at a size, with `workers` loaded as they come with the rows.
    static func teamState(workers: [WorkerRecord] = Fixture.workers(), columns: Int = 120, rows: Int = 40) -> DashboardState {
        var state = Fixture.state(rows: Self.rows(), size: TerminalSize(columns: columns, rows: rows), team: true)
        _ = update(&state, .workersLoaded(workers))
        return state
    }

    @Test func headerWithWorkers120x40() {
        let buffer = screen(Self.teamState(), 120, 40)
        assertSnapshot(buffer.lines(), named: "header-with-workers-120x40")
        #expect(buffer.lines()[2].contains("postgres · 3 workers, 2 busy"))
    }

    @Test func headerWithNoLiveWorkers80x24() {
        // Only a silent worker and stopped ones: nothing will download.
        let gone = Fixture.workers().filter { WorkerCondition($0, now: Fixture.now) != .running }
        let buffer = screen(Self.teamState(workers: gone, columns: 80, rows: 24), 80, 24)
        assertSnapshot(buffer.lines(), named: "header-no-live-workers-80x24")
        let line = buffer.lines()[2]
        #expect(line.contains("postgres · no workers"))
        let start = line.distance(from: line.startIndex, to: line.range(of: "postgres")!.lowerBound)
        #expect(buffer.roleLines()[2].dropFirst(start).prefix(21) == Substring(String(repeating: "W", count: 21)),
                "the warning is in the warning role")
    }

    @Test func workersPane120x40() {
        var state = Self.teamState()
        _ = update(&state, .key(.character("w")))
        assertSnapshot(screen(state, 120, 40).lines(), named: "workers-pane-120x40")
    }

    @Test func workersPane60x15() {
        var state = Self.teamState(columns: 60, rows: 15)
        _ = update(&state, .key(.character("w")))
        assertSnapshot(screen(state, 60, 15).lines(), named: "workers-pane-60x15")
    }

    @Test func workersPaneBeforeAnyWorker() {
        var state = Self.teamState(workers: [])
        _ = update(&state, .key(.character("w")))
        #expect(screen(state, 80, 24).lines().joined().contains("no worker has registered with this store"))
    }

    @Test func aStoreNameCannotDriveTheTerminal() {
        var state = Self.teamState()
        _ = update(&state, .key(.character("w")))
        let text = screen(state, 120, 40).lines().joined(separator: "\n")
        #expect(!text.contains("\u{1b}"))
        #expect(text.contains("bad\\x1b[2Jname"))
    }

    @Test func theDetailSaysWhichWorkerHoldsTheCall() {
        var state = Self.teamState()
        _ = update(&state, .key(.enter))
        _ = update(&state, .detailLoaded(Fixture.detail(for: state.selectedRow!)))
        #expect(screen(state, 120, 40).lines().contains { $0.contains("Worker") && $0.contains("held by worker worker-a") })
    }

    @Test func withoutWorkersOrTeamModeNothingChanges() {
        let lines = screen(Fixture.state(), 120, 40).lines()
        #expect(!lines[2].contains("worker") && !lines[2].contains("sqlite"))
        #expect(!lines.last!.contains("workers"), "no footer room for a pane with nothing in it")
    }

    @Test func aWorkerOnASQLiteStoreShowsToo() {
        var state = Fixture.state()
        _ = update(&state, .workersLoaded(Fixture.workers()))
        #expect(screen(state, 120, 40).lines()[2].contains("sqlite · 3 workers, 2 busy"))
    }

    @Test func workersPaneRendersWithinBoundsAtEverySize() {
        var state = Self.teamState()
        _ = update(&state, .key(.character("w")))
        for columns in stride(from: 20, through: 200, by: 7) {
            for rows in stride(from: 5, through: 60, by: 5) {
                _ = update(&state, .resize(TerminalSize(columns: columns, rows: rows)))
                let lines = screen(state, columns, rows).lines()
                #expect(lines.count == rows)
                for line in lines { #expect(DisplayWidth.of(line) <= columns) }
            }
        }
    }
}

@Suite("worker condition")
struct WorkerConditionTests {
    @Test func aRunningRowWithoutABeatFor30sIsSilent() {
        let workers = Fixture.workers()
        let conditions = Dictionary(uniqueKeysWithValues: workers.map { ($0.name, WorkerCondition($0, now: Fixture.now)) })
        #expect(conditions["worker-a"] == .running && conditions["worker-c"] == .silent && conditions["old-laptop"] == .stopped)
        let team = TeamSummary(workers: workers, now: Fixture.now)
        #expect(team.live == 3 && team.busy == 2)
        #expect(TeamSummary(workers: workers, now: Fixture.now.addingTimeInterval(60)).live == 0)
    }
}
