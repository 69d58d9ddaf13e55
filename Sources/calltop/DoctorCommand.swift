import ArgumentParser
import CallTopCore
import CallTopTUI
import Foundation

struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check credentials, host, store, disk and the speech engine, one line each.")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Re-hash every downloaded recording and compare it with the SHA-256 recorded at download (reads every file).")
    var verify = false

    func run() async throws {
        var failures = 0
        func line(_ ok: Bool, _ what: String, _ detail: String) {
            if !ok { failures += 1 }
            printSafe("\(ok ? "ok  " : "FAIL") \(what.padding(toLength: 20, withPad: " ", startingAt: 0)) \(detail)")
        }
        let workspace: Workspace
        do {
            workspace = try global.workspace()
        } catch {
            line(false, "config", "\(error)")
            throw ExitCode(1)
        }
        let dirMode = PrivateFiles.mode(workspace.dataDir).map { String($0, radix: 8) } ?? "?"
        line(workspace.warnings.isEmpty, "data dir", workspace.warnings.first ?? "\(workspace.dataDir.path) (mode \(dirMode), files 0600)")
        let core = ProcessHardening.coreLimit()
        line(core.soft == 0, "core dumps", core.soft == 0 ? "off (a crash cannot write secrets to disk)" : "on (limit \(core.soft))")
        let host = workspace.host
        if let settings = try? global.twilioSettings() {
            for (name, source) in settings.sources { line(true, "\(name) from", source) }
        }
        for network in NetworkEnvironment.current.doctorLines(apiBaseURL: host.baseURL) { line(network.ok, network.name, network.detail) }
        line(true, "host", "\(host.baseURL)" + (host.region.map { " (region \($0), edge \(host.edge ?? "-"))" } ?? ""))
        if let credentials = workspace.credentials {
            line(true, "credentials", credentials.description)
            do {
                let client = try workspace.client()
                let _: TwilioPage<TwilioCall> = try await client.getJSON(client.callsPageURI(startedOnOrAfter: nil, pageSize: 1))
                line(true, "api", "authenticated to \(host.hostName)")
            } catch {
                line(false, "api", "\(error)")
            }
        } else {
            line(false, "credentials", Credentials.howToSet)
        }
        if let team = workspace.store as? PostgresStore {
            do {
                let server = try team.describeServer()
                let ms = server.roundTrip.inSeconds * 1000
                line(true, "database", "\(team.url.redacted): PostgreSQL \(server.server), schema \(server.schema ?? "none"), "
                     + String(format: "round trip %.1f ms", ms) + (PostgresStore.pollOnly() ? ", poll-only (no LISTEN)" : ", LISTEN/NOTIFY"))
            } catch {
                line(false, "database", "\(team.url.redacted): \(error)")
            }
        }
        do {
            let calls = try workspace.store.callCount()
            let counts = try workspace.store.stateCounts()
            let summary = DownloadState.allCases.compactMap { s in counts[s].map { "\($0) \(s.rawValue)" } }.joined(separator: ", ")
            let place = workspace.store is PostgresStore ? "team store" : workspace.dataDir.appendingPathComponent("calltop.sqlite").path
            line(true, "store", "\(place): \(calls) calls" + (summary.isEmpty ? "" : "; recordings: \(summary)"))
        } catch {
            line(false, "store", "\(error)")
        }
        if let free = DiskSpace.freeBytes(at: workspace.dataDir.path) {
            let gib = Double(free) / Double(1 << 30)
            let enough = free > DiskSpace.lowWatermark
            line(enough, "disk", String(format: "%.1f GiB free in %@", gib, workspace.dataDir.path) + (enough ? "" : " (low: downloads will wait in retrying until space is freed)"))
        }
        do {
            let report = try RecordingVerifier(store: workspace.store).verify(rehash: verify)
            let what = verify ? "re-hashed" : "present with their recorded size (--verify re-hashes them)"
            let elsewhere = report.elsewhere > 0 ? "; \(report.elsewhere) more on other machines" : ""
            line(report.problems.isEmpty, "files", report.problems.isEmpty
                 ? "\(report.checked) downloaded recording(s) \(what)\(elsewhere)"
                 : "\(report.problems.count) of \(report.checked) downloaded recording(s) differ from the store: "
                   + report.problems.prefix(3).map(\.description).joined(separator: "; ") + (report.problems.count > 3 ? "; …" : ""))
        } catch {
            line(false, "files", "\(error)")
        }
        let keys = RecordingKeyring.fromEnvironment().check()  // #15
        line(keys.ok, "recording keys", keys.detail)
        for check in SpeechEnvironment.locate().check() { line(check.ok, check.name, check.detail) }
        if let dir = Theme.themesDirectory() {
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasSuffix(".toml") }
            line(true, "themes", "\(dir.path): \(files.map { String($0.dropLast(5)) }.sorted().joined(separator: ", ")) (and the built-in ones)")
        } else {
            line(true, "themes", "built-in: \(Theme.builtInNames.joined(separator: ", ")) (CALLTOP_THEMES_DIR adds a directory)")
        }
        if failures > 0 { throw ExitCode(1) }
    }
}
