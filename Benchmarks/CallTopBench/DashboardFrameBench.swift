import CallTopCore
import CallTopTUI
import Foundation

/// Figure 2: the dashboard over a real store with 100,000 calls.
///
/// The store is filled by a separate `calltop-bench seed-store` process, so
/// this process's peak RSS (VmHWM) is what a dashboard holding 100k rows
/// costs, not what generating them cost.
enum DashboardFrameBench {
    static let callCount = 100_000
    static let size = TerminalSize(columns: 120, rows: 40)
    static let context = DashboardContext(accountSid: SyntheticTwilio.accountSid, apiHost: "api.twilio.com", refreshSeconds: 30)

    /// `seed-store DIR N`: N calls with one recording each, written as sync writes them.
    static func seed(dataDir: URL, count: Int) throws {
        let now = Date()
        let store = try Store(dataDir: dataDir)
        let (calls, recordings) = try SyntheticTwilio.callsAndRecordings(count: count, now: now)
        let batch = 5_000
        for start in stride(from: 0, to: count, by: batch) {
            try store.upsertCalls(Array(calls[start..<min(count, start + batch)]), now: now)
            try store.upsertRecordings(Array(recordings[start..<min(count, start + batch)]), now: now)
        }
    }

    static func run(rounds: Int) throws {
        let tmp = try TemporaryDirectory("dashboard")
        defer { tmp.remove() }
        let dataDir = try tmp.subdirectory("data")
        let seeded = try ChildProcess.run(BenchMain.executablePath, ["seed-store", dataDir.path, String(callCount)])
        guard seeded.status == 0 else { throw BenchFailure("seed-store failed (\(seeded.status)): \(seeded.output.suffix(500))") }
        BenchLine.note(String(format: "dashboard: store with %d calls seeded in %.1f s (separate process)", callCount, seeded.seconds))

        let now = Date()
        let utc = TimeZone(identifier: "UTC")!

        // First frame: what the app does on start — the store's totals and the newest page, drawn;
        // then (info) the full list that replaces the page.
        var firsts: [Double] = [], pages: [Double] = [], draws: [Double] = [], fulls: [Double] = []
        var loadedRows: [CallRow] = []
        for _ in 0..<rounds {
            let store = try Store(dataDir: dataDir)  // fresh connection each round
            var state = DashboardState(context: context)
            _ = update(&state, .resize(size))
            _ = update(&state, .tick(now: now))
            let t0 = DispatchTime.now().uptimeNanoseconds
            let counts = try store.callCountsByState()
            let page = ListPage(rows: try store.callRows(limit: 300), totalCalls: counts.total, counts: counts.byState)
            _ = update(&state, .firstPageLoaded(page))
            let t1 = DispatchTime.now().uptimeNanoseconds
            let buffer = render(state, size: size, now: now, timeZone: utc)
            let t2 = DispatchTime.now().uptimeNanoseconds
            let rows = try store.callRows()
            _ = update(&state, .rowsLoaded(rows))
            let t3 = DispatchTime.now().uptimeNanoseconds
            guard counts.total == callCount, rows.count == callCount, buffer.size == size else {
                throw BenchFailure("first frame: \(counts.total) calls counted, \(rows.count) rows loaded, expected \(callCount)")
            }
            firsts.append(Double(t2 - t0) / 1e6)
            pages.append(Double(t1 - t0) / 1e6)
            draws.append(Double(t2 - t1) / 1e6)
            fulls.append(Double(t3 - t2) / 1e6)
            loadedRows = rows
        }
        let peakMB = ProcessMemory.peakMB

        // Render-only frame time, 100k rows vs 100, interleaved rounds, best of each.
        var large = DashboardState(context: context)
        _ = update(&large, .resize(size))
        _ = update(&large, .tick(now: now))
        _ = update(&large, .rowsLoaded(loadedRows))
        _ = update(&large, .key(.pageDown))
        _ = update(&large, .key(.pageDown))  // somewhere in the middle of the list, not the top
        var small = DashboardState(context: context)
        _ = update(&small, .resize(size))
        _ = update(&small, .tick(now: now))
        _ = update(&small, .rowsLoaded(Array(loadedRows.prefix(100))))
        _ = update(&small, .key(.character("G")))
        let keystrokes = filterKeystrokes(large, now: now, utc: utc)
        loadedRows = []

        func frames(_ state: DashboardState, _ count: Int) -> Double {
            secondsTaken {
                for i in 0..<count {
                    let buffer = render(state, size: size, now: now.addingTimeInterval(Double(i)), timeZone: utc)
                    precondition(buffer.size == size)
                }
            } / Double(count)
        }
        _ = frames(small, 10)
        _ = frames(large, 10)
        var smallTimes: [Double] = [], largeTimes: [Double] = []
        for round in 0..<9 {
            if round % 2 == 0 {
                smallTimes.append(frames(small, 20)); largeTimes.append(frames(large, 20))
            } else {
                largeTimes.append(frames(large, 20)); smallTimes.append(frames(small, 20))
            }
        }

        BenchLine.emit("tui_first_frame_100k_ms", firsts.median, "ms", goal: "<= 250", digits: 1)
        BenchLine.emit("tui_filter_keystroke_100k_ms", keystrokes.sorted().last ?? .nan, "ms", goal: "<= 16", digits: 1)
        BenchLine.note(String(format: "/ filter at 100k calls, %d keystrokes (typing, then erasing): median %.2f ms, slowest %.2f ms (update + frame)",
                              keystrokes.count, keystrokes.median, keystrokes.sorted().last ?? .nan))
        BenchLine.emit("tui_frame_100k_vs_100", largeTimes.best / smallTimes.best, "ratio", goal: "<= 1.2")
        BenchLine.emit("tui_frame_100k_ms", largeTimes.best * 1000, "ms", goal: nil, digits: 3)
        BenchLine.emit("tui_rss_100k_mb", peakMB, "MB", goal: nil, digits: 0)
        BenchLine.emit("tui_full_list_100k_ms", fulls.median, "ms", goal: nil, digits: 0)
        BenchLine.note(String(format: "first frame (median of %d, fresh Store each): totals + newest 300 rows %.0f ms + render %.1f ms; the full list then loads in %.0f ms (header says \"(loading)\" meanwhile); the very first frame took %.0f ms",
                              rounds, pages.median, draws.median, fulls.median, firsts.first ?? .nan))
        BenchLine.note(String(format: "render 120x40 best of 9 interleaved rounds x 20 frames: 100 rows %.3f ms, 100k rows %.3f ms",
                              smallTimes.best * 1000, largeTimes.best * 1000))
        BenchLine.note("tui_rss_100k_mb = VmHWM of this process after loading 100k rows and drawing (store seeded by another process)")
    }

    /// `/`, then a number typed and erased one key at a time: each key's update plus the frame it draws, in ms.
    static func filterKeystrokes(_ loaded: DashboardState, now: Date, utc: TimeZone) -> [Double] {
        var state = loaded
        _ = update(&state, .key(.character("/")))
        var times: [Double] = []
        // Substring filters (what people type); a `re:` filter matches field by field and is slower, on purpose.
        let keys: [Key] = "5550".map { .character($0) } + Array(repeating: .backspace, count: 4) + "ca1".map { .character($0) }
        for key in keys {
            times.append(secondsTaken {
                _ = update(&state, .key(key))
                precondition(render(state, size: size, now: now, timeZone: utc).size == size)
            } * 1000)
        }
        return times
    }
}
