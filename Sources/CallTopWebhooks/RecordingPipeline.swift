import CallTopCore
import Foundation
import Logging

/// What `serve` does when Twilio says a recording completed.
public protocol RecordingWork: Sendable {
    /// Returns at once; the work runs in the background.
    func recordingCompleted(callSid: String, recordingSid: String)
}

/// Downloads a completed recording at once, then transcribes it, a few
/// recordings at a time. A recording already queued or running is not queued
/// again, so duplicate callbacks cost nothing.
public actor RecordingPipeline: RecordingWork {
    let store: any WebhookStore
    let runner: DownloadRunner
    let client: TwilioClient?
    let transcriber: (any OfflineTranscriber)?
    let concurrency: Int
    /// How long one download may wait for Twilio's retries (not ready, 429, 5xx).
    let retryWindow: TimeInterval
    let onChange: @Sendable (String) -> Void
    let logger: Logger

    private var queue: [(callSid: String, recordingSid: String)] = []
    private var busy = Set<String>()
    /// The job running for each recording: `cancelRunning` ends them at a drain timeout.
    private var running: [String: Task<Void, Never>] = [:]
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []
    private var accepting = true
    /// Callbacks arrive on the receiver's threads; one task of the pipeline's own takes them in,
    /// in order, until the pipeline stops accepting (or goes away).
    private nonisolated let intake: AsyncStream<(callSid: String, recordingSid: String)>.Continuation

    public init(store: any WebhookStore, runner: DownloadRunner, client: TwilioClient?, transcriber: (any OfflineTranscriber)?,
                concurrency: Int = 2, retryWindow: TimeInterval = 15 * 60, logger: Logger,
                onChange: @escaping @Sendable (String) -> Void = { _ in }) {
        self.store = store
        self.runner = runner
        self.client = client
        self.transcriber = transcriber
        self.concurrency = max(1, concurrency)
        self.retryWindow = retryWindow
        self.logger = logger
        self.onChange = onChange
        let (callbacks, intake) = AsyncStream.makeStream(of: (callSid: String, recordingSid: String).self)
        self.intake = intake
        Task { [weak self] in
            for await job in callbacks { await self?.enqueue(callSid: job.callSid, recordingSid: job.recordingSid) }
        }
    }

    deinit { intake.finish() }

    public nonisolated func recordingCompleted(callSid: String, recordingSid: String) {
        intake.yield((callSid, recordingSid))
    }

    public func enqueue(callSid: String, recordingSid: String) {
        guard accepting, busy.insert(recordingSid).inserted else { return }
        queue.append((callSid, recordingSid))
        pump()
    }

    /// Shutdown: takes no new work and drops what has not started (the store
    /// still lists it as unsettled, so the next start queues it again).
    /// Returns how many were dropped; what runs keeps running.
    @discardableResult
    public func stopAccepting() -> Int {
        accepting = false
        intake.finish()
        let dropped = queue.count
        for job in queue { busy.remove(job.recordingSid) }
        queue.removeAll()
        if running.isEmpty {
            let waiters = idleWaiters
            idleWaiters = []
            for w in waiters { w.resume() }
        }
        return dropped
    }

    /// Returns when nothing is queued or running (tests and shutdown).
    public func waitUntilIdle() async {
        if running.isEmpty && queue.isEmpty { return }
        await withCheckedContinuation { idleWaiters.append($0) }
    }

    /// A drain that ran out of time: the running downloads stop waiting for
    /// retries and end (what they did not finish is recovered at the next start).
    public func cancelRunning() {
        for job in running.values { job.cancel() }
    }

    private func pump() {
        while running.count < concurrency, !queue.isEmpty {
            let job = queue.removeFirst()
            running[job.recordingSid] = Task {
                await self.process(callSid: job.callSid, recordingSid: job.recordingSid)
                self.finished(job.recordingSid)
            }
        }
    }

    private func finished(_ recordingSid: String) {
        running[recordingSid] = nil
        busy.remove(recordingSid)
        pump()
        if running.isEmpty && queue.isEmpty {
            let waiters = idleWaiters
            idleWaiters = []
            for w in waiters { w.resume() }
        }
    }

    private nonisolated func process(callSid: String, recordingSid: String) async {
        await fillInCall(callSid)
        _ = await runner.run([recordingSid], options: .init(concurrency: 1, wait: retryWindow))
        onChange(callSid)
        // A store that cannot answer here leaves the call to the settler's realtime fallback, as a failed download does.
        guard (try? store.recording(recordingSid))?.downloadState == .downloaded else { return }
        guard let transcriber else {
            // No transcription service wired in: the settler falls back to realtime after the wait window.
            return
        }
        await transcriber.transcribe(callSid: callSid, recordingSid: recordingSid)
        onChange(callSid)
    }

    /// A callback's call may be unknown to the store: fetch it once so the list shows who called.
    private nonisolated func fillInCall(_ callSid: String) async {
        // Who called is cosmetic here: without it the row shows the SID until the next sync, so failures are ignored.
        guard let client, ((try? store.callRow(callSid))?.callStatus ?? "").isEmpty else { return }
        if let call = try? await client.fetchCall(callSid) { _ = try? store.upsertCalls([call], now: Date()) }
    }
}
