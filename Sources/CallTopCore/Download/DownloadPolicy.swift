import Foundation

/// What one download attempt came to, classified from HTTP and disk facts.
public enum AttemptResult: Error, Sendable, Equatable {
    case saved(bytes: Int64)
    /// The recording's metadata says it is not finished (processing, in-progress…).
    case notReady(status: String)
    case absent(code: Int?)
    case deleted
    case http(status: Int, code: Int?, message: String?)
    case transport(TransportError)
    /// A 200 whose body is not audio (an XML or JSON error document, HTML…).
    case notAudio(String)
    case redirectRefused(String)
    case local(String)
    /// The disk filled up while writing: not Twilio's fault, and not the recording's.
    case diskFull(freeBytes: Int64, directory: String)
    /// An encrypted recording that cannot be opened: no key, an unsafe key, a tag mismatch (#15).
    case undecryptable(String)
}

/// What the policy decides to do next about a recording.
public enum DownloadDecision: Sendable, Equatable {
    case downloaded
    case retry(state: DownloadState, at: Date, reason: String)
    case failed(reason: String)
    case absent(reason: String)

    public var state: DownloadState {
        switch self {
        case .downloaded: return .downloaded
        case .retry(let state, _, _): return state
        case .failed: return .failed
        case .absent: return .absent
        }
    }
}

/// What the policy needs to remember about a recording between attempts.
public struct RetryMemory: Sendable, Equatable {
    /// Transient failures (429, 5xx, network, truncated) since the last success or user retry.
    public var transientFailures: Int
    /// Tries that found the recording not ready yet.
    public var notReadyTries: Int
    /// When the recording was first seen not ready (processing or 404).
    public var notReadySince: Date?
    /// When the recording ended, if known: a 404 soon after that means "not processed yet".
    public var completedAt: Date?

    public init(transientFailures: Int = 0, notReadyTries: Int = 0, notReadySince: Date? = nil, completedAt: Date? = nil) {
        self.transientFailures = transientFailures
        self.notReadyTries = notReadyTries
        self.notReadySince = notReadySince
        self.completedAt = completedAt
    }
}

/// The download decision as a pure value, in the style of async-http-client's
/// state machines: facts in, decision and new memory out, no I/O.
public struct DownloadPolicy: Sendable, Equatable {
    public var retry: RetrySchedule
    public var notReady: NotReadySchedule
    /// The host that answered, for messages about region and edge.
    public var hostName: String

    public init(retry: RetrySchedule = RetrySchedule(), notReady: NotReadySchedule = NotReadySchedule(), hostName: String) {
        self.retry = retry
        self.notReady = notReady
        self.hostName = hostName
    }

    public func decide(_ result: AttemptResult, memory: inout RetryMemory, now: Date, jitter: Double) -> DownloadDecision {
        switch result {
        case .saved:
            memory = RetryMemory(completedAt: memory.completedAt)
            return .downloaded
        case .notReady(let status):
            return notReadyDecision(DownloadReason.stillProcessing(status: status), memory: &memory, now: now)
        case .absent(let code):
            return .absent(reason: DownloadReason.absent(code: code))
        case .deleted:
            return .failed(reason: DownloadReason.deleted)
        case let .http(status, code, message):
            return httpDecision(status: status, code: code, message: message, memory: &memory, now: now, jitter: jitter)
        case .transport(let error) where !error.isTransient:
            return .failed(reason: error.description)
        case .transport(let error):
            return transientDecision(error.description, memory: &memory, now: now, jitter: jitter)
        case let .diskFull(free, directory):
            // Retried at the schedule's slowest pace without using up the budget:
            // the recording is fine, and freeing space is the operator's move.
            return .retry(state: .retrying, at: now.addingTimeInterval(retry.cap),
                          reason: "disk full: \(free) bytes free in \(directory)")
        case .notAudio(let what):
            return .failed(reason: "Twilio sent \(what) instead of audio")
        case .redirectRefused(let why):
            return .failed(reason: why)
        case .local(let why), .undecryptable(let why):
            return .failed(reason: why)
        }
    }

    private func httpDecision(status: Int, code: Int?, message: String?, memory: inout RetryMemory, now: Date, jitter: Double) -> DownloadDecision {
        let label = "HTTP \(status)" + (code.map { " (\($0))" } ?? "") + " from \(hostName)"
        switch status {
        case 401, 403:
            return .failed(reason: "\(label): authentication failed — check TWILIO_REGION/TWILIO_EDGE (credentials are per region) and the credential type (Account SID + Auth Token, or API key + secret)")
        case 404:
            if isSoonAfterCompletion(now: now, memory: memory) {
                return notReadyDecision("\(label): not available yet", memory: &memory, now: now)
            }
            return .failed(reason: "\(label): recording not found long after the call ended — check TWILIO_REGION/TWILIO_EDGE (recordings live in one region) or whether it was deleted")
        case 429, 500...599:
            return transientDecision(label + (message.map { ": \($0)" } ?? ""), memory: &memory, now: now, jitter: jitter)
        default:
            if let code, let meaning = RecordingEncryptionError.meaning(code) { return .failed(reason: "\(label): \(meaning)") }
            return .failed(reason: label + (message.map { ": \($0)" } ?? ""))
        }
    }

    private func isSoonAfterCompletion(now: Date, memory: RetryMemory) -> Bool {
        if let since = memory.notReadySince { return now.timeIntervalSince(since) < notReady.window }
        guard let completed = memory.completedAt else { return false }
        return now.timeIntervalSince(completed) < notReady.window
    }

    private func notReadyDecision(_ reason: String, memory: inout RetryMemory, now: Date) -> DownloadDecision {
        let since = memory.notReadySince ?? now
        memory.notReadySince = since
        memory.notReadyTries += 1
        if now.timeIntervalSince(since) >= notReady.window {
            return .failed(reason: "\(reason) for more than \(Int(notReady.window / 60)) minutes")
        }
        let at = now.addingTimeInterval(notReady.delay(afterTries: memory.notReadyTries))
        return .retry(state: .notReady, at: at, reason: reason)
    }

    private func transientDecision(_ reason: String, memory: inout RetryMemory, now: Date, jitter: Double) -> DownloadDecision {
        memory.transientFailures += 1
        guard retry.allowsAnotherAttempt(afterFailures: memory.transientFailures) else {
            return .failed(reason: "gave up after \(memory.transientFailures) attempts: \(reason)")
        }
        let at = now.addingTimeInterval(retry.delay(afterFailures: memory.transientFailures, unit: jitter))
        return .retry(state: .retrying, at: at, reason: reason)
    }
}
