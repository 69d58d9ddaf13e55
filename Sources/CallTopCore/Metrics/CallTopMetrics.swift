import Foundation
import Metrics

/// Every metric calltop emits, by name, through swift-metrics: the core
/// records, the process that serves `/metrics` (serve, worker) bootstraps a
/// Prometheus backend (CallTopMetrics). Without a backend these are no-ops.
///
/// Names carry their unit; labels never carry a SID (one series per call
/// would grow without bound).
public enum CallTopMetrics {
    public static let downloads = "calltop_recording_downloads_total"
    public static let downloadBytes = "calltop_recording_download_bytes_total"
    public static let downloadDuration = "calltop_recording_download_duration_seconds"
    public static let transcriptions = "calltop_transcriptions_total"
    public static let transcriptionDuration = "calltop_transcription_duration_seconds"
    public static let transcriptionRealtimeFactor = "calltop_transcription_realtime_factor"
    public static let jobs = "calltop_jobs"
    public static let oldestPendingJobAge = "calltop_oldest_pending_job_age_seconds"
    public static let webhookRequests = "calltop_webhook_requests_total"
    public static let twilioAPIErrors = "calltop_twilio_api_errors_total"
    public static let buildInfo = "calltop_build_info"
    /// Unix time of the last completed loop of a long-running process (alerts: no heartbeat).
    public static let heartbeat = "calltop_heartbeat_timestamp_seconds"

    /// One finished download attempt: `result` is the state it left the recording in.
    public static func downloadFinished(_ decision: DownloadDecision, bytes: Int64, duration: TimeInterval) {
        Counter(label: downloads, dimensions: [("result", decision.state.rawValue)]).increment()
        if case .downloaded = decision, bytes > 0 { Counter(label: downloadBytes).increment(by: Int(bytes)) }
        Metrics.Timer(label: downloadDuration).recordNanoseconds(Int64(max(0, duration) * 1e9))
    }

    /// One finished transcription; `audioSeconds` gives the realtime factor (processing / audio).
    public static func transcriptionFinished(result: String, duration: TimeInterval, audioSeconds: Double?) {
        Counter(label: transcriptions, dimensions: [("result", result)]).increment()
        Metrics.Timer(label: transcriptionDuration).recordNanoseconds(Int64(max(0, duration) * 1e9))
        if let audioSeconds, audioSeconds > 0 {
            Recorder(label: transcriptionRealtimeFactor, aggregate: true).record(duration / audioSeconds)
        }
    }

    public static func webhookRequest(endpoint: String, status: Int) {
        Counter(label: webhookRequests, dimensions: [("endpoint", endpoint), ("status", String(status))]).increment()
    }

    /// A Twilio error answer: its Twilio code when the body had one, else `http_<status>`.
    public static func twilioAPIError(status: Int, code: Int?) {
        Counter(label: twilioAPIErrors, dimensions: [("code", code.map(String.init) ?? "http_\(status)")]).increment()
    }

    public static func beat(now: Date = Date()) {
        Gauge(label: heartbeat).record(now.timeIntervalSince1970)
    }
}
