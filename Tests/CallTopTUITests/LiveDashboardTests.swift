import CallTopCore
import Foundation
import Testing
@testable import CallTopTUI

/// In-memory services: downloads progress over a few seconds, log lines flow.
/// Also a worked example of implementing `DashboardServices`.
final class FakeServices: DashboardServices, @unchecked Sendable {
    let context: DashboardContext
    private let lock = NSLock()
    private var rows: [CallRow]
    private var continuation: AsyncStream<CoreEvent>.Continuation?

    init(context: DashboardContext, rows: [CallRow]) {
        self.context = context
        self.rows = rows
    }

    func loadRows() async throws -> [CallRow] { lock.withLock { rows } }

    func loadDetail(callSid: String) async throws -> CallDetail? {
        lock.withLock { rows.first { $0.callSid == callSid } }.map(Fixture.detail(for:))
    }

    func sync() async throws {
        emit(.syncStarted)
        try await Task.sleep(for: .milliseconds(300))
        emit(.syncFinished(at: Date(), calls: lock.withLock { rows.count }))
    }

    func download(callSids: [String]) async {
        for sid in callSids {
            change(sid) { $0.downloadState = .pending; $0.lastError = nil }
            Task.detached { [self] in
                change(sid) { $0.downloadState = .downloading }
                for step in 1...10 {
                    try? await Task.sleep(for: .milliseconds(300))
                    emit(.downloadProgress(callSid: sid, recordingSid: "RE", bytes: Int64(step) * 100_000, total: 1_000_000))
                }
                change(sid) { $0.downloadState = .downloaded; $0.bytes = 1_000_000 }
                emit(.log(line: "[OFFLINE_STT] Recording saved to disk: recordings/\(sid).mp3 (1000000 bytes)"))
            }
        }
    }

    func retryAllFailed() async {
        await download(callSids: lock.withLock { rows.filter { $0.downloadState == .failed }.map(\.callSid) })
    }

    func transcribe(callSids: [String]) async throws {}

    func events() -> AsyncStream<CoreEvent> {
        let (stream, continuation) = AsyncStream<CoreEvent>.makeStream()
        lock.withLock { self.continuation = continuation }
        return stream
    }

    private func emit(_ event: CoreEvent) {
        _ = lock.withLock { continuation }?.yield(event)
    }

    private func change(_ sid: String, _ body: (inout CallRow) -> Void) {
        lock.withLock {
            if let i = rows.firstIndex(where: { $0.callSid == sid }) { body(&rows[i]) }
        }
        emit(.callChanged(callSid: sid))
    }
}

/// Runs the real ncurses dashboard. Only with CALLTOP_TUI_LIVE=1 in a real
/// terminal (e.g. tmux), where a person or `tmux send-keys` drives it and `q` ends it.
@Suite("live dashboard (manual, CALLTOP_TUI_LIVE=1)")
struct LiveDashboardTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["CALLTOP_TUI_LIVE"] == "1"))
    @MainActor
    func runsInATerminal() async throws {
        let readonly = ProcessInfo.processInfo.environment["CALLTOP_TUI_READONLY"] == "1"
        var context = Fixture.context(readonly: readonly, transcription: false)
        context.refreshSeconds = 5
        let services = FakeServices(context: context, rows: Fixture.rows())
        let theme = try Theme.forCommandLine(ProcessInfo.processInfo.environment["CALLTOP_TUI_THEME"])
        try await DashboardApp.run(services: services, theme: theme)
    }
}
