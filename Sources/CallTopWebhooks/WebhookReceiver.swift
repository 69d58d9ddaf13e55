import CallTopCore
import Foundation
import Logging

/// The endpoints' logic, free of HTTP plumbing: each takes what the request
/// carried and returns a status. Refusals say nothing about why (403 has no
/// body): a prober learns nothing; the log says why, without secrets.
public final class WebhookReceiver: Sendable {
    public struct Configuration: Sendable {
        /// The URL Twilio calls, up to but not including `/twilio/...`: `https://hooks.example.com` or `https://x.example/calltop`.
        public var publicURL: String
        public var authToken: String
        /// Bearer token for the voice agent's endpoint; nil disables it.
        public var ingestToken: String?
        public var maxBodyBytes: Int
        /// Seconds between summary lines of refused requests.
        public var refusalSummaryInterval: TimeInterval

        public init(publicURL: String, authToken: String, ingestToken: String?, maxBodyBytes: Int = 64 * 1024,
                    refusalSummaryInterval: TimeInterval = 60) {
            self.refusalSummaryInterval = refusalSummaryInterval
            var base = publicURL
            while base.hasSuffix("/") { base.removeLast() }
            self.publicURL = base
            self.authToken = authToken
            self.ingestToken = ingestToken.flatMap { $0.isEmpty ? nil : $0 }
            self.maxBodyBytes = maxBodyBytes
        }
    }

    public struct Reply: Sendable, Equatable {
        public var status: Int
        public var body: String
        static let ok = Reply(status: 200, body: "")
        static let forbidden = Reply(status: 403, body: "")
        static func bad(_ why: String) -> Reply { Reply(status: 400, body: why + "\n") }
    }

    public let configuration: Configuration
    let store: any WebhookStore
    let clock: any WallClock
    let work: any RecordingWork
    let settler: TranscriptSettler?
    let logger: Logger
    let onChange: @Sendable (String) -> Void
    /// Refused requests, logged as one summary line per interval (WebhookServer's loop writes it).
    public let refusals: RefusalTally

    public init(configuration: Configuration, store: any WebhookStore, clock: any WallClock = SystemClock(), work: any RecordingWork,
                settler: TranscriptSettler?, logger: Logger, onChange: @escaping @Sendable (String) -> Void = { _ in }) {
        self.refusals = RefusalTally(interval: configuration.refusalSummaryInterval, now: clock.now())
        self.configuration = configuration
        self.store = store
        self.clock = clock
        self.work = work
        self.settler = settler
        self.logger = logger
        self.onChange = onChange
    }

    /// Writes the refusal summary when its interval has ended (`force`: now, at shutdown).
    public func logRefusals(force: Bool = false) {
        if let line = refusals.summary(now: clock.now(), force: force) { logger.warning("\(line)") }
    }

    // MARK: Twilio

    /// Checks the signature of a Twilio request and returns its parameters, or nil (→ 403).
    /// `target` is the request target as received: path and query.
    func verifiedParameters(target: String, signature: String?, contentType: String?, body: [UInt8]) -> FormParameters? {
        let url = configuration.publicURL + target
        if (contentType ?? "").lowercased().hasPrefix("application/json") {
            guard TwilioSignature.isValidJSON(signature: signature, url: url, body: Data(body), authToken: configuration.authToken),
                  let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else { return nil }
            return FormParameters(pairs: object.map { ($0.key, ($0.value as? String) ?? "\($0.value)") })
        }
        guard let form = FormParameters(body: body),
              TwilioSignature.isValid(signature: signature, url: url, params: form.pairs, authToken: configuration.authToken) else {
            return nil
        }
        return form
    }

    public func recordingStatus(target: String, signature: String?, contentType: String?, body: [UInt8]) -> Reply {
        guard let form = verifiedParameters(target: target, signature: signature, contentType: contentType, body: body) else {
            refusals.record(.recordingStatus)
            return .forbidden
        }
        let callback: RecordingStatusCallback
        do {
            callback = try RecordingStatusCallback(form)
        } catch {
            logger.warning("[WEBHOOK] Ignored a recording status callback: \(error)")
            return .bad(error.description)
        }
        let f = callback.facts
        do {
            let state = try store.applyRecordingCallback(f, now: clock.now())
            logger.info("[WEBHOOK] Recording \(f.recordingSid) of \(f.callSid): \(f.status) → \(state.rawValue)")
            if f.status == "completed" || f.status == "absent" || f.status == "failed" {
                try settler?.recordingFinished(callSid: f.callSid, recordingSid: f.recordingSid)
            }
            // Already downloaded (a sync or the dashboard got there first) but not transcribed: the
            // pipeline's download is then a no-op and it goes straight to transcription.
            let awaitsTranscript = try state == .downloaded && store.offlineState(f.callSid) == .pending
            if f.status == "completed", state == .pending || state == .notReady || state == .retrying || awaitsTranscript {
                work.recordingCompleted(callSid: f.callSid, recordingSid: f.recordingSid)
            }
            onChange(f.callSid)
            return .ok
        } catch {
            logger.error("[WEBHOOK] Could not store the callback for \(f.recordingSid): \(error)")
            return Reply(status: 500, body: "")  // Twilio retries a 5xx
        }
    }

    public func transcription(target: String, signature: String?, contentType: String?, body: [UInt8]) -> Reply {
        guard let form = verifiedParameters(target: target, signature: signature, contentType: contentType, body: body) else {
            refusals.record(.transcription)
            return .forbidden
        }
        let callback: TranscriptionCallback
        do {
            callback = try TranscriptionCallback(form)
        } catch {
            logger.warning("[WEBHOOK] Ignored a transcription callback: \(error)")
            return .bad(error.description)
        }
        guard let segment = callback.segment else { return .ok }
        do {
            let now = clock.now()
            guard try store.saveRealtimeSegment(segment, callSid: callback.callSid, now: now) else { return .ok }
            let text = RealtimeAssembly.assemble(try store.realtimeSegments(callback.callSid))
            try store.saveRealtimeTranscript(text, callSid: callback.callSid, origin: "twilio", now: now)
            onChange(callback.callSid)
            return .ok
        } catch {
            logger.error("[WEBHOOK] Could not store a transcription segment for \(callback.callSid): \(error)")
            return Reply(status: 500, body: "")
        }
    }

    // MARK: Voice agent

    struct AgentTranscript: Decodable {
        var transcript: String
    }

    /// `POST /v1/calls/{CallSid}/realtime-transcript` with `Authorization: Bearer <CALLTOP_INGEST_TOKEN>`
    /// and `{"transcript": "…"}`: the agent's own realtime transcript, stored with origin `agent`.
    public func agentTranscript(callSid: String, authorization: String?, body: [UInt8]) -> Reply {
        guard let expected = configuration.ingestToken else { return .forbidden }
        let presented = authorization.flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil } ?? ""
        guard ConstantTime.equals(presented, expected) else {
            refusals.record(.agentTranscript)
            return .forbidden
        }
        guard SID.isValid(callSid, prefix: "CA") else { return .bad("not a call SID") }
        guard let payload = try? JSONDecoder().decode(AgentTranscript.self, from: Data(body)) else {
            return .bad("expected JSON {\"transcript\": \"…\"}")
        }
        do {
            try store.saveRealtimeTranscript(payload.transcript, callSid: callSid, origin: "agent", now: clock.now())
            onChange(callSid)
            return .ok
        } catch {
            logger.error("[WEBHOOK] Could not store the agent transcript for \(callSid): \(error)")
            return Reply(status: 500, body: "")
        }
    }
}
