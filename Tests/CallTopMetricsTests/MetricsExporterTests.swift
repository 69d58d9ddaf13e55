import CallTopCore
import Foundation
import Testing
@testable import CallTopMetrics

/// The core records through swift-metrics; the exporter renders Prometheus
/// text. Values are read before and after, since the registry is per process.
@Suite(.serialized) struct MetricsExporterTests {
    let exporter = MetricsExporter.shared

    func value(_ name: String, _ labels: String = "") -> Double {
        let text = exporter.render(store: nil)
        let series = labels.isEmpty ? name : "\(name){\(labels)}"
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.split(separator: " ")[1]) ?? .nan
        }
        return 0
    }

    @Test func downloadsCountByResultWithBytesAndADurationHistogram() {
        let ok = value("calltop_recording_downloads_total", "result=\"downloaded\"")
        let failed = value("calltop_recording_downloads_total", "result=\"failed\"")
        let bytes = value("calltop_recording_download_bytes_total")
        let fast = value("calltop_recording_download_duration_seconds_bucket", "le=\"0.5\"")
        let count = value("calltop_recording_download_duration_seconds_count")
        CallTopMetrics.downloadFinished(.downloaded, bytes: 12_345, duration: 0.3)
        CallTopMetrics.downloadFinished(.failed(reason: "401"), bytes: 0, duration: 7)
        #expect(value("calltop_recording_downloads_total", "result=\"downloaded\"") == ok + 1)
        #expect(value("calltop_recording_downloads_total", "result=\"failed\"") == failed + 1)
        #expect(value("calltop_recording_download_bytes_total") == bytes + 12_345)
        #expect(value("calltop_recording_download_duration_seconds_bucket", "le=\"0.5\"") == fast + 1)
        #expect(value("calltop_recording_download_duration_seconds_count") == count + 2)
        #expect(exporter.render(store: nil).contains("# TYPE calltop_recording_download_duration_seconds histogram"))
    }

    @Test func transcriptionsRecordDurationAndRealtimeFactor() {
        let done = value("calltop_transcriptions_total", "result=\"done\"")
        let rtfSum = value("calltop_transcription_realtime_factor_sum")
        CallTopMetrics.transcriptionFinished(result: "done", duration: 2, audioSeconds: 10)
        #expect(value("calltop_transcriptions_total", "result=\"done\"") == done + 1)
        #expect(abs(value("calltop_transcription_realtime_factor_sum") - (rtfSum + 0.2)) < 1e-9)
        #expect(value("calltop_transcription_duration_seconds_bucket", "le=\"2.5\"") >= 1)
    }

    @Test func twilioErrorsAreLabelledByCodeNeverBySid() {
        let before = value("calltop_twilio_api_errors_total", "code=\"20404\"")
        CallTopMetrics.twilioAPIError(status: 404, code: 20404)
        CallTopMetrics.twilioAPIError(status: 503, code: nil)
        #expect(value("calltop_twilio_api_errors_total", "code=\"20404\"") == before + 1)
        #expect(value("calltop_twilio_api_errors_total", "code=\"http_503\"") >= 1)
    }

    @Test func jobGaugesFollowTheStoreAndEmptiedStatesDropToZero() {
        let now = Date(timeIntervalSince1970: 1_000_000)
        exporter.record(JobSnapshot(counts: [.init(kind: "download", state: "failed", count: 3),
                                             .init(kind: "transcription", state: "pending", count: 2)],
                                    oldestPendingSince: now.addingTimeInterval(-90)), now: now)
        #expect(value("calltop_jobs", "kind=\"download\",state=\"failed\"") == 3)
        #expect(value("calltop_oldest_pending_job_age_seconds") == 90)
        exporter.record(JobSnapshot(counts: [.init(kind: "transcription", state: "pending", count: 1)], oldestPendingSince: nil), now: now)
        #expect(value("calltop_jobs", "kind=\"download\",state=\"failed\"") == 0)
        #expect(value("calltop_jobs", "kind=\"transcription\",state=\"pending\"") == 1)
        #expect(value("calltop_oldest_pending_job_age_seconds") == 0)
    }

    @Test func theStoreReportsJobsByKindAndState() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("calltop-metrics-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try Store(dataDir: dir)
        try store.setTranscriptionJob("CA" + String(repeating: "1", count: 32), state: .pending, now: Date().addingTimeInterval(-30))
        try store.setTranscriptionJob("CA" + String(repeating: "2", count: 32), state: .done, now: Date())
        let snapshot = try store.jobSnapshot()
        #expect(Set(snapshot.counts) == [.init(kind: "transcription", state: "pending", count: 1), .init(kind: "transcription", state: "done", count: 1)])
        #expect(abs((snapshot.oldestPendingSince?.timeIntervalSinceNow ?? 0) + 30) < 5)
        try store.ping()
        #expect(exporter.render(store: store).contains("calltop_jobs{kind=\"transcription\",state=\"done\"} 1"))
    }

    @Test func buildInfoAndRouteTemplatesAsLabels() {
        #expect(value("calltop_build_info", "version=\"\(CallTopVersion.current)\"") == 1)
        #expect(RequestMetricsMiddleware.endpoint("/v1/calls/{callSid}/realtime-transcript") == "/v1/calls/{callSid}/realtime-transcript")
        #expect(RequestMetricsMiddleware.endpoint(nil) == "unmatched")
    }
}
