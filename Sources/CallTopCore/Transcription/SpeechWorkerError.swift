/// Why a transcription did not produce a transcript. Each case says what to do.
public enum SpeechWorkerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The venv or the worker script is missing: nothing can run.
    case notInstalled(String)
    /// The speech engine could be changed by another user: it is not run.
    case untrusted(String)
    /// The requested model is not installed in the venv.
    case modelMissing(String)
    /// The audio file is missing or cannot be decoded.
    case audioUnreadable(String)
    /// The worker rejected the request (a bug on our side or a bad option).
    case badRequest(String)
    /// The worker hit an unexpected error but is still running.
    case workerInternal(String)
    /// The worker process died (crash, kill, OOM) while this job ran.
    case workerCrashed(String)
    /// The job ran past its time limit; the worker was restarted.
    case timedOut(seconds: Double)
    /// The worker could not start, or did not say it was ready in time.
    case startFailed(String)
    /// The worker was shut down before the job finished.
    case shutDown

    public var description: String {
        switch self {
        case .notInstalled(let m): return "speech engine not installed: \(m) — run `make setup`"
        case .untrusted(let m): return "speech engine refused: \(m) — only you (or root) may be able to change the code calltop runs; fix with chmod go-w / chown, or set CALLTOP_SPEECH_HOME"
        case .modelMissing(let m): return "speech model missing: \(m) — run `make setup`"
        case .audioUnreadable(let m): return "audio unreadable: \(m)"
        case .badRequest(let m): return "bad transcription request: \(m)"
        case .workerInternal(let m): return "speech worker error: \(m)"
        case .workerCrashed(let m): return "speech worker crashed: \(m) (it restarts; retry the job)"
        case .timedOut(let s): return "transcription took longer than \(Int(s)) s; worker restarted"
        case .startFailed(let m): return "speech worker did not start: \(m)"
        case .shutDown: return "speech worker shut down"
        }
    }

    /// Short reason for the transcript policy's `offline failed: <reason>`.
    public var policyReason: String {
        switch self {
        case .notInstalled: return "speech engine not installed"
        case .untrusted: return "speech engine untrusted"
        case .modelMissing: return "model missing"
        case .audioUnreadable: return "audio unreadable"
        case .badRequest: return "bad request"
        case .workerInternal: return "worker error"
        case .workerCrashed: return "worker crashed"
        case .timedOut: return "timed out"
        case .startFailed: return "worker did not start"
        case .shutDown: return "shut down"
        }
    }

    /// Whether retrying the same job later can succeed without a user fixing something.
    public var isRetryable: Bool {
        switch self {
        case .workerCrashed, .timedOut, .shutDown, .workerInternal, .startFailed: return true
        case .notInstalled, .untrusted, .modelMissing, .audioUnreadable, .badRequest: return false
        }
    }

    /// Maps the worker's typed error codes.
    static func fromWorker(code: String, message: String) -> SpeechWorkerError {
        switch code {
        case "model_missing": return .modelMissing(message)
        case "audio_unreadable": return .audioUnreadable(message)
        case "bad_request": return .badRequest(message)
        default: return .workerInternal(message)
        }
    }
}
