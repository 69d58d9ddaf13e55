import Foundation
import Testing

/// The real binary against the real simulator process: what a user types.
@Suite(.serialized) struct CommandLineTests {
    func dataDir() -> String {
        NSTemporaryDirectory() + "calltop-e2e-\(UUID().uuidString.prefix(8))"
    }

    @Test func syncListDownloadAsAUserWould() throws {
        let sim = try SimulatorProcess()
        var env = sim.env
        env["CALLTOP_HOME"] = dataDir()
        let sync = try CalltopBinary.run(["sync"], env: env)
        #expect(sync.status == 0, "\(sync.stderr)")
        #expect(sync.stdout.contains("synced 8 calls"))

        let download = try CalltopBinary.run(["download", "--pending", "--wait", "30"], env: env)
        #expect(download.status == 0, "\(download.stdout)\(download.stderr)")
        #expect(download.stdout.contains("downloaded"))

        let list = try CalltopBinary.run(["list", "--json"], env: env)
        #expect(list.status == 0)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 8)
        let withRecording = rows.filter { !($0["recording_sid"] is NSNull) }
        #expect(!withRecording.isEmpty)
        for row in withRecording {
            #expect(row["download_state"] as? String == "downloaded" || row["download_state"] as? String == "absent")
            if row["download_state"] as? String == "downloaded" {
                let path = try #require(row["path"] as? String)
                let attrs = try FileManager.default.attributesOfItem(atPath: env["CALLTOP_HOME"]! + "/" + path)
                #expect((attrs[.size] as? NSNumber)?.int64Value == (row["bytes"] as? NSNumber)?.int64Value)
                #expect((row["sha256"] as? String)?.count == 64)
            }
        }
        let starts = rows.compactMap { $0["start_time"] as? String }
        #expect(starts == starts.sorted(by: >), "newest first")

        // Idempotent: a second sync adds nothing, and the table is readable.
        let again = try CalltopBinary.run(["sync"], env: env)
        #expect(again.stdout.contains("(0 new)"))
        let table = try CalltopBinary.run(["list"], env: env)
        #expect(table.stdout.hasPrefix("TIME"))
        #expect(table.stdout.contains("downloaded"))
    }

    @Test func failedDownloadsExitNonZeroAndRetryMovesThemBack() throws {
        let sim = try SimulatorProcess(["--scenario", "xml_error@0"])
        var env = sim.env
        env["CALLTOP_HOME"] = dataDir()
        _ = try CalltopBinary.run(["sync"], env: env)
        let download = try CalltopBinary.run(["download", "--wait", "10"], env: env)
        #expect(download.status == 1)
        #expect(download.stdout.contains("failed"))
        #expect(download.stdout.contains("instead of audio"))
        #expect(download.stderr.hasPrefix("calltop: "))
        let failed = try CalltopBinary.run(["list", "--json", "--state", "failed"], env: env)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(failed.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 1)
        #expect(rows.first?["attempts"] as? Int == 1)
        let retry = try CalltopBinary.run(["download", "--failed", "--wait", "5"], env: env)
        #expect(retry.status == 1)
        let after = try CalltopBinary.run(["list", "--json", "--state", "failed"], env: env)
        let again = try #require(try JSONSerialization.jsonObject(with: Data(after.stdout.utf8)) as? [[String: Any]])
        #expect(again.first?["attempts"] as? Int == 2)
    }

    @Test func secretsNeverReachOutputLogsOrErrors() throws {
        let sim = try SimulatorProcess(["--scenario", "wrong_credentials"])
        var env = sim.env
        let home = dataDir()
        env["CALLTOP_HOME"] = home
        let token = try #require(env["TWILIO_AUTH_TOKEN"])
        let basic = Data("\(env["TWILIO_ACCOUNT_SID"]!):\(token)".utf8).base64EncodedString()
        let sync = try CalltopBinary.run(["sync", "-v"], env: env)
        #expect(sync.status != 0)
        #expect(sync.stderr.contains("401"))
        #expect(sync.stderr.contains("TWILIO_REGION/TWILIO_EDGE"))
        let doctor = try CalltopBinary.run(["doctor"], env: env)
        let list = try CalltopBinary.run(["list", "--json"], env: env)
        let log = (try? String(contentsOfFile: home + "/logs/calltop.log", encoding: .utf8)) ?? ""
        for text in [sync.stdout, sync.stderr, doctor.stdout, doctor.stderr, list.stdout, log] {
            #expect(!text.contains(token))
            #expect(!text.contains(basic))
        }
    }

    @Test func missingCredentialsExplainAndPointAtTheDemo() throws {
        let result = try CalltopBinary.run(["sync"], env: ["CALLTOP_HOME": dataDir()])
        #expect(result.status != 0)
        #expect(result.stderr.contains("TWILIO_ACCOUNT_SID"))
        #expect(result.stderr.contains("calltop demo"))
        let dashboard = try CalltopBinary.run([], env: ["CALLTOP_HOME": dataDir()])
        #expect(dashboard.status != 0)
        #expect(dashboard.stderr.contains("calltop demo"))
    }

    @Test func badInputsAreOneLineErrors() throws {
        let sim = try SimulatorProcess()
        var env = sim.env
        env["CALLTOP_HOME"] = dataDir()
        let bad = try CalltopBinary.run(["download", "RE123"], env: env)
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("is not a Call SID"))
        var plain = env
        plain["CALLTOP_API_BASE_URL"] = "http://192.0.2.1:8080"
        let insecure = try CalltopBinary.run(["sync"], env: plain)
        #expect(insecure.status != 0)
        #expect(insecure.stderr.contains("plain http is allowed only for loopback"))
    }

    @Test func helpTeaches() throws {
        let help = try CalltopBinary.run(["download", "--help"])
        #expect(help.stdout.contains("--failed"))
        #expect(help.stdout.contains("Exit status"))
        let top = try CalltopBinary.run(["--help"])
        #expect(top.stdout.contains("calltop demo"))
    }
}
