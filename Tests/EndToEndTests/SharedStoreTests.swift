import CallTopSimulator
import Foundation
import Testing

/// Several calltop processes on one data dir, as users run them: the
/// dashboard, `download` and `serve` at once.
@Suite(.serialized) struct SharedStoreTests {
    func newHome() -> String { NSTemporaryDirectory() + "calltop-shared-\(UUID().uuidString.prefix(8))" }

    /// Runs the commands at the same time, one process each.
    func concurrently(_ runs: [[String]], env: [String: String]) -> [CalltopBinary.Result] {
        let results = Mutable([CalltopBinary.Result?](repeating: nil, count: runs.count))
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: runs.count) { i in
            let result = (try? CalltopBinary.run(runs[i], env: env)) ?? CalltopBinary.Result(status: -1, stdout: "", stderr: "did not start")
            lock.lock(); results.value[i] = result; lock.unlock()
        }
        return results.value.map { $0! }
    }

    @Test func twentyProcessesOpeningANewStoreAllSucceed() {
        let env = ["CALLTOP_HOME": newHome()]
        let results = concurrently(Array(repeating: ["list", "--json"], count: 20), env: env)
        for r in results { #expect(r.status == 0, "\(r.stderr)") }
    }

    @Test func twoDownloadRunsFetchEachRecordingOnce() async throws {
        let simulator = TwilioSimulator(config: SimulatorConfig(callCount: 12, scenarios: [ScenarioRule(.slow(bytesPerSecond: 200_000))]))
        _ = try await simulator.start()
        defer { Task { await simulator.stop() } }
        let env = ["CALLTOP_HOME": newHome(), "CALLTOP_API_BASE_URL": simulator.baseURL,
                   "TWILIO_ACCOUNT_SID": SimulatorConfig.defaultAccountSid, "TWILIO_AUTH_TOKEN": SimulatorConfig.defaultAuthToken]
        #expect(try CalltopBinary.run(["sync"], env: env).status == 0)
        let results = concurrently([["download", "--pending"], ["download", "--pending"]], env: env)
        for r in results { #expect(r.status == 0, "\(r.stdout)\(r.stderr)") }
        let media = simulator.requests().filter { $0.isMedia && $0.status == 200 }
        let perRecording = Dictionary(grouping: media, by: { $0.recordingSid ?? "?" }).mapValues(\.count)
        let completed = simulator.recordings().filter { $0.status == "completed" }
        #expect(perRecording.count == completed.count)
        #expect(perRecording.values.allSatisfy { $0 == 1 }, "\(perRecording.filter { $0.value > 1 })")
        let list = try CalltopBinary.run(["list", "--json"], env: env)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        let states = rows.flatMap { ($0["recordings"] as? [[String: Any]] ?? []).map { $0["download_state"] as? String } }
        #expect(states.count == simulator.recordings().count && states.allSatisfy { $0 == "downloaded" || $0 == "absent" })
    }

    @Test func absurdServeIntervalsAreErrorsNotCrashes() throws {
        let env = ["CALLTOP_HOME": newHome(), "TWILIO_ACCOUNT_SID": SimulatorConfig.defaultAccountSid,
                   "TWILIO_AUTH_TOKEN": SimulatorConfig.defaultAuthToken]
        for value in ["1e-30", "nan", "inf", "-1"] {
            let r = try CalltopBinary.run(["serve", "--public-url", "https://example.com", "--port", "0", "--wait-interval", value], env: env, timeout: 20)
            #expect(r.status == 64, "--wait-interval \(value): \(r.status) \(r.stderr)")
            #expect(r.stderr.contains("--wait-interval"))
        }
    }

    @Test func aSyncOfAnAbsurdDateDoesNotCrash() throws {
        // Dates far outside any calendar reach the client through --since too.
        let env = ["CALLTOP_HOME": newHome(), "TWILIO_ACCOUNT_SID": SimulatorConfig.defaultAccountSid,
                   "TWILIO_AUTH_TOKEN": SimulatorConfig.defaultAuthToken, "CALLTOP_API_BASE_URL": "http://127.0.0.1:9"]
        let r = try CalltopBinary.run(["sync", "--since", "99999999999999-01-01"], env: env, timeout: 20)
        #expect(r.status != 0 && r.status < 128, "\(r.status) \(r.stderr)")
    }

    @Test func verifyFindsAFileThatNoLongerMatchesAndMakesItFailed() async throws {
        let simulator = TwilioSimulator(config: SimulatorConfig(callCount: 3))
        _ = try await simulator.start()
        defer { Task { await simulator.stop() } }
        let home = newHome()
        let env = ["CALLTOP_HOME": home, "CALLTOP_API_BASE_URL": simulator.baseURL,
                   "TWILIO_ACCOUNT_SID": SimulatorConfig.defaultAccountSid, "TWILIO_AUTH_TOKEN": SimulatorConfig.defaultAuthToken]
        #expect(try CalltopBinary.run(["sync"], env: env).status == 0)
        #expect(try CalltopBinary.run(["download"], env: env).status == 0)
        #expect(try CalltopBinary.run(["download", "--verify"], env: env).status == 0)
        let recordings = URL(fileURLWithPath: home).appendingPathComponent("recordings")
        let victim = try #require(try FileManager.default.contentsOfDirectory(atPath: recordings.path).filter { $0.hasSuffix(".mp3") }.sorted().first)
        // Same length, one byte changed: only a re-hash notices.
        let url = recordings.appendingPathComponent(victim)
        var bytes = try Data(contentsOf: url)
        bytes[bytes.count / 2] ^= 0xff
        try bytes.write(to: url)
        let doctor = try CalltopBinary.run(["doctor", "--verify"], env: env)
        #expect(doctor.stdout.contains("FAIL files") && doctor.stdout.contains("sha256"), "\(doctor.stdout)")
        let verify = try CalltopBinary.run(["download", "--verify"], env: env)
        #expect(verify.status == 1 && verify.stdout.contains(victim), "\(verify.stdout)\(verify.stderr)")
        let list = try CalltopBinary.run(["list", "--json", "--state", "failed"], env: env)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 1)
        #expect(try CalltopBinary.run(["download", "--failed"], env: env).status == 0)
        #expect(try CalltopBinary.run(["download", "--verify"], env: env).status == 0)
    }
}
