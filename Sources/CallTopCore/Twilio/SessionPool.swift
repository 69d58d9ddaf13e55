import Foundation
import Synchronization

/// Idle libcurl sessions, handed out one per concurrent request so each
/// worker reuses a warm connection.
final class SessionPool: Sendable {
    private let idle = Mutex<[CurlSession]>([])
    private let timeouts: CurlSession.Timeouts

    init(timeouts: CurlSession.Timeouts) {
        self.timeouts = timeouts
    }

    func acquire() -> CurlSession {
        idle.withLock { $0.popLast() } ?? CurlSession(timeouts: timeouts)
    }

    func release(_ session: CurlSession) {
        idle.withLock { $0.append(session) }
    }
}
