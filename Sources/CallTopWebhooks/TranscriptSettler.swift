import CallTopCore
import Foundation
import Logging

/// Decides, call by call, when the transcript has settled and queues its
/// delivery in the store's outbox. `tick()` does everything due at the
/// clock's now; the serve loop calls it, tests call it after moving a fake clock.
public final class TranscriptSettler: Sendable {
    let store: any WebhookStore
    let clock: any WallClock
    let window: WaitWindow
    let suspectThreshold: Double
    let logger: Logger

    public init(store: any WebhookStore, clock: any WallClock = SystemClock(), window: WaitWindow = WaitWindow(),
                suspectThreshold: Double = TranscriptDisagreement.defaultThreshold, logger: Logger) {
        self.store = store
        self.clock = clock
        self.window = window
        self.suspectThreshold = suspectThreshold
        self.logger = logger
    }

    /// A recording of the call completed (or Twilio said it never will): the wait window starts now.
    public func recordingFinished(callSid: String, recordingSid: String) throws {
        let now = clock.now()
        try store.beginSettlement(callSid: callSid, recordingSid: recordingSid, completedAt: now,
                                  firstCheckAt: window.check(1, after: now))
    }

    /// Handles every settlement that is due; returns how many deliveries were queued.
    @discardableResult
    public func tick() throws -> Int {
        let now = clock.now()
        var queued = 0
        for s in try store.dueSettlements(now: now) {
            let offline = try store.offlineState(s.callSid)
            let realtime = try store.realtimeTranscript(s.callSid)?.text
            switch SettlementPolicy.decide(s, offline: offline, realtime: realtime, window: window, now: now) {
            case let .wait(checksDone, until):
                try store.scheduleSettlementCheck(callSid: s.callSid, checksDone: checksDone, nextCheckAt: until)
            case let .idle(checksDone):
                try store.scheduleSettlementCheck(callSid: s.callSid, checksDone: checksDone, nextCheckAt: nil)
            case let .deliver(choice, version, supersedes, checksDone):
                let document = try document(for: s, choice: choice, version: version, supersedes: supersedes, now: now)
                let queuedNow = try store.enqueueDelivery(callSid: s.callSid, previousVersion: s.deliveredVersion, version: version,
                                                          source: choice.source, payload: document.encoded(),
                                                          checksDone: checksDone, now: now)
                guard queuedNow else { continue }
                queued += 1
                if choice.source == .offline {
                    logger.info("[WEBHOOK] Using OFFLINE transcript (len=\(choice.text.count))")
                } else {
                    logger.info("[WEBHOOK] Offline transcript missing → using realtime")
                }
            }
        }
        return queued
    }

    /// When `tick` next has something to do on its own (an offline transcript wakes it earlier).
    public func nextCheck() -> Date? {
        do { return try store.nextSettlementCheck() } catch {
            logger.error("[WEBHOOK] Could not read the settlements: \(error)")
            return clock.now().addingTimeInterval(1)
        }
    }

    private func document(for s: WebhookSettlement, choice: TranscriptChoice, version: Int, supersedes: Int?, now: Date) throws -> DeliveryDocument {
        let offline = choice.source == .offline ? try store.offlineTranscript(s.callSid) : nil
        let recordingSid = offline?.recordingSid ?? s.recordingSid
        let recording = try recordingSid.flatMap { try store.recording($0) }
        let check = try crossCheck(s.callSid)
        return DeliveryDocument(
            callSid: s.callSid, recordingSid: recordingSid, transcript: choice.text, source: choice.source.rawValue,
            reason: choice.reason, chars: choice.text.count,
            audioSHA256: offline.map(\.transcript.audioSHA256).flatMap { $0.isEmpty ? nil : $0 } ?? recording?.sha256,
            model: offline.map(\.transcript.model).flatMap { $0.isEmpty ? nil : $0 },
            version: version, supersedes: supersedes,
            settledAt: ISO8601DateFormatter().string(from: now),
            disagreement: check.map { ($0.disagreement * 1000).rounded() / 1000 }, suspect: check?.suspect)
    }

    /// Compares the call's two transcripts when both exist and stores the result.
    @discardableResult
    public func crossCheck(_ callSid: String) throws -> TranscriptCrossCheck? {
        guard let offline = try store.offlineTranscript(callSid), !offline.transcript.isEmpty,
              let realtime = try store.realtimeTranscript(callSid) else { return nil }
        let result = TranscriptDisagreement.compare(offline: offline.transcript.text, realtime: realtime.text, threshold: suspectThreshold)
        let check = TranscriptCrossCheck(callSid: callSid, disagreement: result.disagreement, offlineWords: result.offlineWords,
                                         realtimeWords: result.realtimeWords, suspect: result.suspect, checkedAt: clock.now())
        try store.saveCrossCheck(check)
        if check.suspect {
            logger.warning("[WEBHOOK] Transcripts disagree for \(callSid): \(Int((result.disagreement * 100).rounded()))% of words differ (suspect)")
        }
        return check
    }

    /// Brings every cross-check up to date (at start: transcripts may have changed while serve was down).
    public func crossCheckAll() {
        do {
            for callSid in try store.callsNeedingCrossCheck() { _ = try crossCheck(callSid) }
        } catch {
            // A cross-check is advice for the reader: the next transcript change brings it up to date.
            logger.warning("[WEBHOOK] Cross-checks not brought up to date: \(error)")
        }
    }
}
