import Foundation

/// `calltop-bench [SECTION…]`: prints `BENCH` lines (DESIGN.md, "Benchmarks").
/// Sections: download, decrypt, e2e, dashboard, detail, sync, backlog, team. With none, every section runs,
/// each in its own child process so peak-RSS figures belong to one section
/// and a crash in one does not lose the others. Exit status: non-zero only
/// when a section itself failed (a missed goal is reported, not fatal).
enum BenchMain {
    static let sections = ["download", "decrypt", "e2e", "dashboard", "detail", "sync", "backlog", "team"]

    static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    static func runSection(_ name: String) async throws {
        switch name {
        case "download": try await DownloadVsCurlBench.run(rounds: 9)
        case "decrypt": try await DecryptVsDownloadBench.run(rounds: 5)
        case "e2e": try EndToEndDownloadBench.run(rounds: 3, calls: 20)
        case "dashboard": try DashboardFrameBench.run(rounds: 5)
        case "detail": DetailTranscriptBench.run(rounds: 9)
        case "sync": try await SyncThroughputBench.run(calls: 20_000)
        case "backlog": try await BacklogBench.run(count: 2_000)
        case "backlog-main": try await BacklogBench.runMain(count: 2_000)  // while tuning: the measured drain only
        case "team": try await TeamBench.run(count: 500, latencyMs: 200)
        default: throw BenchFailure("unknown section \(name); known: \(sections.joined(separator: ", "))")
        }
    }

    /// Runs each section as `calltop-bench <section>`, passing its output through.
    static func runAllInChildren() -> Int32 {
        var failed: [String] = []
        for section in sections {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executablePath)
            process.arguments = [section]
            do {
                try process.run()
                // waitpid, not waitUntilExit: Foundation never saw the team section exit (its child stayed a
                // zombie) once the section had left the throwaway cluster's watcher running in the background.
                var status: Int32 = 0
                while waitpid(process.processIdentifier, &status, 0) < 0 && errno == EINTR {}
                if status != 0 { failed.append(section) }
            } catch {
                BenchLine.note("\(section): cannot start: \(error)")
                failed.append(section)
            }
        }
        if !failed.isEmpty { BenchLine.note("calltop-bench: sections that failed: \(failed.joined(separator: ", "))") }
        return failed.isEmpty ? 0 : 1
    }
}

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "seed-store", arguments.count == 3, let count = Int(arguments[2]) {
    do {
        try DashboardFrameBench.seed(dataDir: URL(fileURLWithPath: arguments[1], isDirectory: true), count: count)
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("seed-store: \(error)\n".utf8))
        exit(1)
    }
}
if arguments.isEmpty {
    exit(BenchMain.runAllInChildren())
}
var status: Int32 = 0
for section in arguments {
    do {
        try await BenchMain.runSection(section)
    } catch {
        BenchLine.note("\(section) FAILED: \(error)")
        FileHandle.standardError.write(Data("calltop-bench \(section): \(error)\n".utf8))
        status = 1
    }
    TemporaryDirectory.removeDeferred()
}
exit(status)
