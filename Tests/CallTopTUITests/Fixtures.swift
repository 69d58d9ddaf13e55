import CallTopCore
import Foundation
@testable import CallTopTUI

/// Fixed inputs so every run renders the same screens.
enum Fixture {
    /// 2025-11-27 14:05:00 UTC.
    static let now = Date(timeIntervalSince1970: 1_764_252_300)
    static let utc = TimeZone(identifier: "UTC")!
    static let account = "AC0123456789abcdef0123456789abcdef"

    static func sid(_ prefix: String, _ n: Int) -> String {
        let hex = String(n, radix: 16)
        return prefix + String(repeating: "0", count: 32 - hex.count) + hex
    }

    static func context(readonly: Bool = false, transcription: Bool = true, demo: Bool = true, team: Bool = false) -> DashboardContext {
        DashboardContext(accountSid: account, apiHost: "api.dublin.ie1.twilio.com", isDemo: demo, readonly: readonly,
                         refreshSeconds: 30, transcriptionAvailable: transcription,
                         storeEngine: team ? "postgres" : "sqlite", teamMode: team)
    }

    /// Workers as the store lists them (by name): three live (two of them
    /// busy), one gone silent, one stopped, and one whose name holds an escape.
    static func workers() -> [WorkerRecord] {
        func worker(_ name: String, host: String, beat: TimeInterval, running: Int, done: Int, failures: Int = 0,
                    stopped: Bool = false) -> WorkerRecord {
            var w = WorkerRecord(name: name, owner: LeaseOwner(host: host, pid: 4100, token: "0a0b0c0d"), version: "0.9.0",
                                 startedAt: now.addingTimeInterval(-3 * 3600), downloadSlots: 4, transcriptionSlots: 1)
            w.heartbeatAt = now.addingTimeInterval(-beat)
            w.jobsRunning = running; w.jobsDone = done; w.failures = failures
            if stopped { w.state = .stopped; w.stoppedAt = w.heartbeatAt }
            return w
        }
        return [
            worker("bad\u{1b}[2Jname", host: "build-04.example.net", beat: 9, running: 0, done: 0, stopped: true),
            worker("gpu-transcriber", host: "gpu-01.example.net", beat: 5, running: 1, done: 9),
            worker("old-laptop", host: "laptop.local", beat: 7_500, running: 0, done: 230, failures: 12, stopped: true),
            worker("worker-a", host: "build-01.example.net", beat: 3, running: 2, done: 41, failures: 1),
            worker("worker-b", host: "build-02.example.net", beat: 1, running: 0, done: 17),
            worker("worker-c", host: "build-03.example.net", beat: 47, running: 1, done: 5),
        ]
    }

    /// One call in each state the dashboard distinguishes, newest first.
    static func rows() -> [CallRow] {
        func row(_ n: Int, minutesAgo: Double, state: DownloadState?, from: String = "+14155550100", to: String = "+442071838750",
                 direction: String = "inbound", status: String = "completed", duration: Int? = 83, bytes: Int64? = nil,
                 next: Date? = nil, error: String? = nil, source: TranscriptSource = .none, chars: Int = 0) -> CallRow {
            CallRow(callSid: sid("CA", n), from: from, to: to, direction: direction, callStatus: status,
                    startTime: now.addingTimeInterval(-minutesAgo * 60), durationS: duration,
                    recordingSid: state == nil ? nil : sid("RE", n), downloadState: state, bytes: bytes,
                    expectedBytes: bytes, attempts: error == nil ? 1 : 3, lastError: error, nextRetryAt: next,
                    path: state == .downloaded ? "recordings/\(sid("CA", n)).mp3" : nil,
                    transcriptSource: source, transcriptChars: chars)
        }
        return [
            row(1, minutesAgo: 1, state: .downloading, bytes: nil),
            row(2, minutesAgo: 3, state: .notReady, next: now.addingTimeInterval(25)),
            row(3, minutesAgo: 7, state: .downloaded, from: "client:Zoë → agent", direction: "outbound-api",
                duration: 3725, bytes: 1_482_112, source: .offline, chars: 2_345),
            row(4, minutesAgo: 12, state: .retrying, next: now.addingTimeInterval(90),
                error: "HTTP 429 from api.dublin.ie1.twilio.com (code 20429): too many requests", source: .realtime, chars: 812),
            row(5, minutesAgo: 30, state: .failed, error: "HTTP 404 from api.twilio.com: check TWILIO_REGION/TWILIO_EDGE",
                source: .realtime, chars: 640),
            row(6, minutesAgo: 45, state: .absent, status: "no-answer", duration: 0),
            row(7, minutesAgo: 60, state: .pending, direction: "outbound-dial"),
            row(8, minutesAgo: 90, state: nil, status: "busy", duration: nil),
            row(9, minutesAgo: 120, state: .downloaded, bytes: 96_512, source: .offline, chars: 57),
        ]
    }

    static func detail(for row: CallRow) -> CallDetail {
        let attempts = [
            DownloadAttempt(recordingSid: row.recordingSid ?? "", startedAt: now.addingTimeInterval(-1500), httpStatus: 404,
                            twilioCode: 20404, bytes: 0, durationMs: 212, error: "The requested resource was not found"),
            DownloadAttempt(recordingSid: row.recordingSid ?? "", startedAt: now.addingTimeInterval(-600), httpStatus: 404,
                            twilioCode: 20404, bytes: 0, durationMs: 198, error: "The requested resource was not found"),
            DownloadAttempt(recordingSid: row.recordingSid ?? "", startedAt: now.addingTimeInterval(-60), httpStatus: 200,
                            twilioCode: nil, bytes: 1_482_112, durationMs: 1_404, error: nil),
        ]
        let recording = RecordingDetail(
            recordingSid: row.recordingSid ?? sid("RE", 0), status: "completed", channels: 1, durationS: row.durationS,
            source: "RecordVerb", uri: "/2010-04-01/Accounts/\(account)/Recordings/\(row.recordingSid ?? "").json",
            downloadState: row.downloadState ?? .absent, bytes: row.bytes, expectedBytes: row.expectedBytes, path: row.path,
            sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", nextRetryAt: row.nextRetryAt,
            lastError: row.lastError, attempts: attempts)
        let transcript = AuthoritativeTranscript(
            source: .offline, reason: "offline transcript present (authoritative)",
            text: "Thanks for calling Acme support. I would like to check the status of my order, it was due yesterday.",
            engine: "faster-whisper base.en", createdAt: now.addingTimeInterval(-30))
        return CallDetail(row: row, endTime: row.startTime?.addingTimeInterval(Double(row.durationS ?? 0)), price: "-0.0085",
                          recordings: [recording], transcript: transcript)
    }

    /// A state with the fixture rows loaded, a fresh sync and a terminal size.
    static func state(
        rows: [CallRow] = Fixture.rows(), size: TerminalSize = TerminalSize(columns: 120, rows: 40),
        readonly: Bool = false, transcription: Bool = true, team: Bool = false
    ) -> DashboardState {
        var state = DashboardState(context: context(readonly: readonly, transcription: transcription, team: team))
        _ = update(&state, .resize(size))
        _ = update(&state, .tick(now: now.addingTimeInterval(-12)))
        _ = update(&state, .syncCompleted(at: now.addingTimeInterval(-12)))
        settle(&state, rows: rows)
        _ = update(&state, .core(.downloadProgress(callSid: sid("CA", 1), recordingSid: sid("RE", 1), bytes: 420_000, total: 1_000_000)))
        return state
    }

    /// Answers row loads until none is outstanding, as the runtime would.
    static func settle(_ state: inout DashboardState, rows: [CallRow] = Fixture.rows()) {
        var rounds = 0
        while state.rowsLoadInFlight, rounds < 5 {
            _ = update(&state, .rowsLoaded(rows))
            rounds += 1
        }
    }
}
