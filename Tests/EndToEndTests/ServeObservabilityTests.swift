import Foundation
import Testing

/// `calltop serve` as an operator runs it: probes, a Prometheus scrape whose
/// values move with the work, and SIGTERM draining within its bound.
@Suite(.serialized) struct ServeObservabilityTests {
    struct Setup {
        var sim: SimulatorProcess
        var env: [String: String]
        /// (call SID, recording SID) of calls with a recording, newest first.
        var recordings: [(String, String)]
    }

    func setUp(_ scenario: [String] = []) throws -> Setup {
        let sim = try SimulatorProcess(scenario)
        var env = sim.env
        env["CALLTOP_HOME"] = NSTemporaryDirectory() + "calltop-serve-e2e-\(UUID().uuidString.prefix(8))"
        let sync = try CalltopBinary.run(["sync"], env: env)
        guard sync.status == 0 else { throw CommandLineFailure(sync.stderr) }
        let list = try CalltopBinary.run(["list", "--json"], env: env)
        let rows = (try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]]) ?? []
        let recordings = rows.compactMap { row -> (String, String)? in
            guard let call = row["call_sid"] as? String, let rec = row["recording_sid"] as? String,
                  row["download_state"] as? String == "pending" else { return nil }
            return (call, rec)
        }
        return Setup(sim: sim, env: env, recordings: recordings)
    }

    struct CommandLineFailure: Error { var message: String; init(_ m: String) { message = m } }

    func waitFor(_ seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return try condition()
    }

    @Test(.timeLimit(.minutes(2)))
    func probesAndMetricsMoveWithTheWork() throws {
        let s = try setUp()
        let (call, recording) = try #require(s.recordings.first)
        let serve = try ServeProcess(env: s.env, arguments: ["--no-transcribe"])

        #expect(try serve.get("/healthz").0 == 200)
        let ready = try serve.get("/readyz")
        #expect(ready.0 == 200 && ready.1.contains("ok   store") && ready.1.contains("ok   twilio"), "\(ready)")

        let before = PrometheusText(text: try serve.get("/metrics").1)
        #expect(before.value("calltop_build_info", ["version": "0.1.0"]) == 1)
        #expect(before.value("calltop_jobs", ["kind": "download", "state": "pending"]) == Double(s.recordings.count))
        #expect((before.value("calltop_oldest_pending_job_age_seconds") ?? -1) >= 0)
        #expect(before.value("calltop_recording_downloads_total", ["result": "downloaded"]) == nil)

        #expect(try serve.recordingCompleted(callSid: call, recordingSid: recording) == 200)
        #expect(try serve.recordingCompleted(callSid: call, recordingSid: recording, signed: false) == 403)

        var after = PrometheusText(text: "")
        let moved = try waitFor(30) {
            after = PrometheusText(text: try serve.get("/metrics").1)
            return after.value("calltop_recording_downloads_total", ["result": "downloaded"]) == 1
        }
        #expect(moved, "no download counted:\n\(after.text)\n\(serve.stderr)")
        #expect((after.value("calltop_recording_download_bytes_total") ?? 0) > 1000)
        #expect(after.value("calltop_recording_download_duration_seconds_count") == 1)
        #expect(after.value("calltop_jobs", ["kind": "download", "state": "downloaded"]) == 1)
        #expect(after.value("calltop_jobs", ["kind": "download", "state": "pending"]) == Double(s.recordings.count - 1))
        #expect(after.value("calltop_webhook_requests_total", ["endpoint": "/twilio/recording-status", "status": "200"]) == 1)
        #expect(after.value("calltop_webhook_requests_total", ["endpoint": "/twilio/recording-status", "status": "403"]) == 1)
        #expect((after.value("calltop_heartbeat_timestamp_seconds") ?? 0) > Date().timeIntervalSince1970 - 30)
        // No SID ever becomes a label: series must not grow per call.
        #expect(!after.text.contains("CA") || !after.text.contains(call), "a SID leaked into /metrics")
        #expect(!after.text.contains(recording))

        // Every metric the example alert rules use is one serve exports.
        let rules = try String(contentsOfFile: Self.repoRoot + "/contrib/prometheus/calltop-alerts.yml", encoding: .utf8)
        // The expressions only (from `expr:` to the rule's `for:`), not the annotations.
        let expressions = rules.matches(of: /expr:(?<e>(?:.|\n)*?)\n\s*for:/).map { String($0.output.e) }.joined(separator: "\n")
        #expect(expressions.contains("oldest_pending"))
        let used = Set(expressions.matches(of: /calltop_[a-z_]+/).map { String($0.output) })
        #expect(!used.isEmpty)
        for name in used {
            #expect(after.text.contains("\n\(name)") || after.text.contains("# TYPE \(name) ") || after.text.hasPrefix(name),
                    "the alert rules use \(name), which /metrics does not export")
        }
        #expect(serve.terminate().0 == 0)
    }

    @Test(.timeLimit(.minutes(1)))
    func readyzFailsWhenTwilioCannotBeReached() throws {
        let s = try setUp()
        var env = s.env
        env["CALLTOP_API_BASE_URL"] = "http://127.0.0.1:1"
        let serve = try ServeProcess(env: env, arguments: ["--no-transcribe"])
        #expect(try serve.get("/healthz").0 == 200)
        let ready = try serve.get("/readyz")
        #expect(ready.0 == 503 && ready.1.contains("FAIL twilio"), "\(ready)")
        #expect(serve.terminate().0 == 0)
    }

    /// SIGTERM mid-download: serve waits for it, exits 0, and the file is complete.
    @Test(.timeLimit(.minutes(2)))
    func sigtermLetsRunningDownloadsFinish() throws {
        let s = try setUp(["--scenario", "slow=60000@0"])
        let (call, recording) = try #require(s.recordings.first)
        let serve = try ServeProcess(env: s.env, arguments: ["--no-transcribe", "--drain-timeout", "30"])
        #expect(try serve.recordingCompleted(callSid: call, recordingSid: recording) == 200)
        #expect(try waitFor(20) {
            PrometheusText(text: try serve.get("/metrics").1).value("calltop_jobs", ["kind": "download", "state": "downloading"]) == 1
        })
        let (status, seconds) = serve.terminate()
        #expect(status == 0, "\(serve.stderr)")
        #expect(seconds < 30)
        #expect(serve.stderr.contains("drained"), "\(serve.stderr)")
        #expect(try HTTP.request("http://127.0.0.1:\(serve.port)/healthz").0 == 0, "still listening after exit")
        let list = try CalltopBinary.run(["list", "--json"], env: s.env)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(rows.first { $0["recording_sid"] as? String == recording }?["download_state"] as? String == "downloaded")
    }

    /// SIGTERM with work that cannot finish in time: serve still exits 0 within the bound,
    /// and the interrupted download is recovered (pending again) by the next start.
    @Test(.timeLimit(.minutes(2)))
    func sigtermIsBoundedByTheDrainTimeout() throws {
        let s = try setUp(["--scenario", "slow=2000@0"])
        let (call, recording) = try #require(s.recordings.first)
        let serve = try ServeProcess(env: s.env, arguments: ["--no-transcribe", "--drain-timeout", "2"])
        #expect(try serve.recordingCompleted(callSid: call, recordingSid: recording) == 200)
        #expect(try waitFor(20) {
            PrometheusText(text: try serve.get("/metrics").1).value("calltop_jobs", ["kind": "download", "state": "downloading"]) == 1
        })
        let (status, seconds) = serve.terminate()
        #expect(status == 0, "\(serve.stderr)")
        #expect(seconds >= 1.5 && seconds < 10, "took \(seconds) s with --drain-timeout 2")
        #expect(serve.stderr.contains("drain timeout"), "\(serve.stderr)")
        // Cut off, but nothing half-written under the final name, and the next start takes it up again.
        #expect(!FileManager.default.fileExists(atPath: s.env["CALLTOP_HOME"]! + "/recordings/\(call).mp3"))
        let next = try ServeProcess(env: s.env, arguments: ["--no-transcribe", "--drain-timeout", "1"])
        let metrics = PrometheusText(text: try next.get("/metrics").1)
        let pending = metrics.value("calltop_jobs", ["kind": "download", "state": "pending"]) ?? 0
        let downloading = metrics.value("calltop_jobs", ["kind": "download", "state": "downloading"]) ?? 0
        #expect(pending + downloading == Double(s.recordings.count), "\(metrics.text)")
        #expect(next.terminate().0 == 0)
    }

    static let repoRoot: String = {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) { dir.deleteLastPathComponent() }
        return dir.path
    }()
}
