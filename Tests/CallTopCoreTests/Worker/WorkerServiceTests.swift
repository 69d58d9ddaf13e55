import CallTopSimulator
import CallTopTestSupport
import Foundation
import Testing
@testable import CallTopCore

/// Workers in one process against the simulator: the backlog is shared with
/// every job done once, and a stop is quick when idle.
@Suite(.serialized) struct WorkerServiceTests {
    static let elsewhere = LeaseOwner(host: "elsewhere.example", pid: 4242, token: "b0b0b0b0")

    /// A speech engine that appends each job's audio path to `log` and answers "ok".
    func countingSpeech(log: URL) throws -> SpeechEnvironment {
        try FakeSpeechHome.make("""
            for line in sys.stdin:
                req = json.loads(line)
                with open(\(String(reflecting: log.path)), "a") as f:
                    f.write(req["audio"] + "\\n")
                emit(result(req["id"], "hello there"))
            """)
    }

    @Test(.timeLimit(.minutes(2)))
    func twoWorkersShareTheBacklogAndDoEachJobOnce() async throws {
        let h = try await SimulatorHarness.start(calls: 8)
        defer { Task { await h.stop() } }
        let log = temporaryDirectory().appendingPathComponent("jobs.log")
        try FileManager.default.createDirectory(at: log.deletingLastPathComponent(), withIntermediateDirectories: true)
        let speech = try countingSpeech(log: log)
        let settings = WorkerSettings(name: "a", downloads: 2, transcriptions: 1, syncInterval: 2, leaseSeconds: 5, pollInterval: 0.1)
        var other = settings
        other.name = "b"
        let a = try WorkerService.make(workspace: h.workspace, settings: settings, speech: speech)
        let b = try WorkerService.make(workspace: h.workspace, settings: other, speech: speech, owner: Self.elsewhere)
        let runs = [Task { try await a.run() }, Task { try await b.run() }]

        let completed = h.simulator.recordings().filter { $0.status == "completed" }
        let calls = Set(completed.map(\.callSid))
        let settled = try await waitFor(60, every: .milliseconds(100)) {
            guard try h.store.recordingSids(inState: [.downloaded]).count == completed.count else { return false }
            return try calls.allSatisfy { call in
                switch try h.store.offlineState(call) { case .done, .failed: true; default: false }
            }
        }
        let states = calls.map { (try? h.store.offlineState($0)).map { "\($0)" } ?? "?" }
        #expect(settled, "not every job finished: \(states)")
        // A call is transcribed when its primary (first) recording could be downloaded.
        let transcribable = try calls.filter { try h.store.recordings(ofCall: $0).first?.downloadState == .downloaded }
        #expect(!transcribable.isEmpty)
        for call in transcribable { #expect(try h.store.offlineState(call) == .done(text: "hello there")) }
        a.requestStop()
        b.requestStop()
        for run in runs { try await run.value }

        let media = h.simulator.requests().filter { $0.isMedia && $0.status == 200 }
        let perRecording = Dictionary(grouping: media, by: { $0.recordingSid ?? "?" }).mapValues(\.count)
        #expect(Set(perRecording.keys) == Set(completed.map(\.sid)))
        #expect(perRecording.values.allSatisfy { $0 == 1 }, "\(perRecording.filter { $0.value > 1 })")
        let jobs = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
        #expect(jobs.count == transcribable.count && Set(jobs).count == jobs.count, "\(jobs)")
        let workers = try h.store.workers()
        #expect(workers.map(\.name) == ["a", "b"] && workers.allSatisfy { $0.state == .stopped })
        #expect(workers.map(\.jobsDone).reduce(0, +) >= completed.count + transcribable.count)
        #expect(try h.store.leaseHolder(WorkerService.syncLeaseName) == nil, "the sync lease is released on a clean stop")
    }

    @Test(.timeLimit(.minutes(1)))
    func anIdleWorkerStopsAtOnceAndWithTranscriptionsOffQueuesNone() async throws {
        let h = try await SimulatorHarness.start(calls: 2)
        defer { Task { await h.stop() } }
        let worker = try WorkerService.make(workspace: h.workspace, settings: WorkerSettings(name: "idle", downloads: 2, transcriptions: 0,
                                                                                          syncInterval: 60, pollInterval: 0.1))
        let run = Task { try await worker.run() }
        let settled = try await waitFor(30, every: .milliseconds(100)) {
            let downloaded = try h.store.recordingSids(inState: [.downloaded])
            return downloaded.count == h.simulator.recordings().filter { $0.status == "completed" }.count && worker.counts.jobsRunning == 0
        }
        #expect(settled)
        #expect(worker.holdsSyncLease)
        let asked = Date()
        worker.requestStop()
        try await run.value
        #expect(Date().timeIntervalSince(asked) < 2)
        #expect(try h.store.claimableTranscriptions(now: Date(), limit: 10).isEmpty, "--transcriptions 0 queues nothing")
        #expect(try h.store.workers().first?.state == .stopped)
    }
}
