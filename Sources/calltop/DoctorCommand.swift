import ArgumentParser
import CallTopCore
import CallTopTUI
import Foundation

struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check credentials, host, store, disk and the speech engine, one line each.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        var failures = 0
        func line(_ ok: Bool, _ what: String, _ detail: String) {
            if !ok { failures += 1 }
            print("\(ok ? "ok  " : "FAIL") \(what.padding(toLength: 20, withPad: " ", startingAt: 0)) \(detail)")
        }
        let workspace: Workspace
        do {
            workspace = try global.workspace()
        } catch {
            line(false, "config", "\(error)")
            throw ExitCode(1)
        }
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
        do {
            let calls = try workspace.store.callCount()
            let counts = try workspace.store.stateCounts()
            let summary = DownloadState.allCases.compactMap { s in counts[s].map { "\($0) \(s.rawValue)" } }.joined(separator: ", ")
            line(true, "store", "\(workspace.dataDir.appendingPathComponent("calltop.sqlite").path): \(calls) calls" + (summary.isEmpty ? "" : "; recordings: \(summary)"))
        } catch {
            line(false, "store", "\(error)")
        }
        if let attrs = try? FileManager.default.attributesOfFileSystem(forPath: workspace.dataDir.path),
           let free = (attrs[.systemFreeSize] as? NSNumber)?.int64Value {
            let gib = Double(free) / Double(1 << 30)
            line(free > 1 << 30, "disk", String(format: "%.1f GiB free in %@", gib, workspace.dataDir.path) + (free > 1 << 30 ? "" : " (below 1 GiB: downloads may fail)"))
        }
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
