import ArgumentParser
import CallTopCore
import Foundation
import Synchronization

struct DownloadCommand: CallTopCommand {
    static let configuration = CommandConfiguration(
        commandName: "download",
        abstract: "Download recordings: named ones, the failed ones, or every pending one.",
        discussion: """
            Name recordings as RE… SIDs, CA… SIDs (all of the call's recordings) or recording URLs in any
            of Twilio's forms. Named recordings that had failed start again at once.
            Files go to <data-dir>/recordings/{CallSid}.mp3, written to a temporary name, checked (HTTP 200,
            audio bytes, full Content-Length), fsynced and renamed.
            Retries: 429/5xx/network/truncated back off exponentially (1 s to 60 s, 8 attempts), and requests in flight
            adapt to the account's concurrency limit (lowered on each 20429, see --max-concurrency); a recording
            Twilio is still processing is retried for up to 15 minutes. The run waits for retries due within
            --wait; what is still waiting after that keeps its next time for the next run.
            Encrypted recordings (Voice Recording Encryption) are fetched as .wav, decrypted with the private key
            named by their public_key_sid, $CALLTOP_RECORDING_KEYS_DIR/CR….pem (mode 0600; several keys may be
            there, Twilio may use a fallback key), and saved as {CallSid}.wav only once the GCM tag matched.
            CALLTOP_KEEP_ENCRYPTED=beside also keeps the body as Twilio sent it ({name}.enc); =only keeps just that.
            Exit status: 0 all downloaded (or absent on Twilio), 1 some failed, 3 some still waiting.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("RE…, CA… or recording URLs.", valueName: "recording"))
    var references: [String] = []

    @Flag(help: "Retry every failed recording.")
    var failed = false

    @Flag(help: "Download every pending recording and retry those whose time has come (the default).")
    var pending = false

    @Flag(help: "Download nothing: re-hash every downloaded recording; one whose file differs from the store becomes failed (exit 1).")
    var verify = false

    @Option(name: [.customLong("max-concurrency"), .customLong("concurrency")],
            help: ArgumentHelp("At most this many requests to Twilio at once. Within it the number adapts to the account's own limit: it grows while requests succeed and halves on 429 (20429).", valueName: "n"))
    var concurrency = 32

    @Option(help: ArgumentHelp("Seconds to wait for scheduled retries before leaving them for later.", valueName: "seconds"))
    var wait: Double = 120

    func validate() throws {
        guard concurrency >= 1 && concurrency <= 256 else { throw ValidationError("--max-concurrency must be between 1 and 256") }
        guard wait >= 0 else { throw ValidationError("--wait must be zero or more seconds") }
    }

    func execute() async throws {
        let workspace = try global.workspace()
        if verify {
            let report = try RecordingVerifier(store: workspace.store).verify(rehash: true)
            for problem in report.problems {
                print("  \(problem)")
                try workspace.store.markFileProblem(problem.recordingSid, reason: "the file differs from what was downloaded: \(problem.issue)", now: Date())
            }
            print("\(report.checked) downloaded recording(s) checked, \(report.problems.count) differ from the store")
            if !report.problems.isEmpty {
                throw CommandFailure("\(report.problems.count) recording file(s) differ from the store and are now failed: run `calltop download --failed` to fetch them again", code: 1)
            }
            return
        }
        let client = try workspace.client(maxConcurrency: concurrency)
        let store = workspace.store
        let now = Date()
        try store.reclaimAbandonedWork(now: now)

        var targets: [String] = []
        if !references.isEmpty {
            var parsed: [RecordingReference] = []
            for text in references {
                do {
                    parsed.append(try RecordingReference.parse(text))
                } catch {
                    workspace.logger.warning("[OFFLINE_STT] Could not extract recording SID from URL")
                    throw CommandFailure(error.description)
                }
            }
            targets = try await DownloadTargets(client: client, store: store, logger: workspace.logger).resolve(parsed, now: now)
            try store.resetForRetry(targets, now: now)
        }
        if failed {
            let failedSids = try store.recordingSids(inState: [.failed])
            try store.resetForRetry(failedSids, now: now)
            targets += failedSids
        }
        if pending || (references.isEmpty && !failed) {
            targets += try store.recordingSids(inState: [.pending, .retrying, .notReady])
        }
        var seen = Set<String>()
        targets = targets.filter { seen.insert($0).inserted }
        guard !targets.isEmpty else {
            print("nothing to download" + ((try? store.callCount()) == 0 ? ": the store is empty, run `calltop sync` first" : ""))
            return
        }

        let runner = try workspace.downloadRunner(maxConcurrency: concurrency)
        let done = Counter()
        let total = targets.count
        let summary = await runner.run(targets, options: .init(concurrency: concurrency, wait: wait)) { event in
            switch event {
            case let .finished(sid, decision):
                let n = done.increment()
                progressLine("[\(n)] \(sid) \(decision.state.rawValue)")
            case let .waiting(count, until):
                progressLine("waiting for \(count) of \(total) recording(s): next try at \(until.formatted(date: .omitted, time: .standard))")
            }
        }
        endProgressLine()
        try report(summary, targets: targets, store: store)
    }

    private func report(_ summary: DownloadRunner.Summary, targets: [String], store: any CallStore) throws {
        let order: [DownloadState] = [.downloaded, .absent, .failed, .retrying, .notReady, .pending, .downloading]
        let parts = order.compactMap { s in summary.byState[s].map { "\($0) \(s.rawValue)" } }
        print("\(targets.count) recording(s): " + parts.joined(separator: ", "))
        for sid in targets {
            guard let r = try store.recording(sid), r.downloadState != .downloaded else { continue }
            var line = "  \(sid) \(r.downloadState.rawValue)"
            if let next = r.nextRetryAt, r.downloadState == .retrying || r.downloadState == .notReady {
                line += " (next try \(next.formatted(date: .omitted, time: .standard)))"
            }
            if let error = r.lastError { line += ": \(error)" }
            printSafe(line)
        }
        if let problem = summary.storeError { throw CommandFailure("the store could not be read during the run (\(problem)); run `calltop doctor`", code: 1) }
        if (summary.byState[.failed] ?? 0) > 0 { throw CommandFailure("\(summary.byState[.failed]!) recording(s) failed", code: 1) }
        if !summary.allSettled { throw CommandFailure("not everything was downloaded: some recordings are still waiting for a retry (run `calltop download` again later)", code: 3) }
    }
}

final class Counter: Sendable {
    private let value = Mutex(0)
    func increment() -> Int { value.withLock { $0 += 1; return $0 } }
}
