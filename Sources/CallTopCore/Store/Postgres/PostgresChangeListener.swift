import Foundation
import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// Counts the store's `NOTIFY calltop_changes` (every write transaction sends
/// one) on a connection of its own, so a dashboard's change stamp costs no
/// query and changes within a round trip of another process's commit.
///
/// In poll-only mode (`CALLTOP_DATABASE_POLL_ONLY=1`, for PgBouncer in
/// transaction pooling, where LISTEN does not work), and while the listening
/// connection is down, the stamp is the server's WAL position instead: one
/// cheap query that moves with every commit.
package final class PostgresChangeListener: Sendable {
    package static let channel = "calltop_changes"

    private struct State {
        var notifications = 0
        var connection: PostgresConnection?
        var stopped = false
        var retryAt: Date = .distantPast
    }

    private let pool: PostgresConnectionPool
    private let pollOnly: Bool
    private let state = Mutex(State())

    package init(pool: PostgresConnectionPool, pollOnly: Bool) {
        self.pool = pool
        self.pollOnly = pollOnly
    }

    /// Changes whenever anyone commits.
    package func stamp() -> String {
        if !pollOnly, let listening = listening() { return "n\(listening)" }
        let lsn = try? pool.session { s in try s.scalar("SELECT pg_current_wal_lsn()::text").string }
        return "w" + ((lsn ?? nil) ?? "-")
    }

    /// The notification count, or nil while no listening connection is up
    /// (one is opened here, at most every 2 s, so a down server costs little).
    private func listening() -> Int? {
        let (count, needsConnection) = state.withLock { s -> (Int?, Bool) in
            if let c = s.connection, !c.isClosed { return (s.notifications, false) }
            guard !s.stopped, Date() >= s.retryAt else { return (nil, false) }
            s.retryAt = Date().addingTimeInterval(2)
            return (nil, true)
        }
        guard needsConnection else { return count }
        guard let connection = try? pool.connect() else { return nil }
        connection.addListener(channel: Self.channel) { [weak self] _, _ in
            self?.state.withLock { $0.notifications &+= 1 }
        }
        // addListener sends LISTEN itself; one round trip makes sure it is in place before we count.
        guard (try? connection.query("SELECT 1", logger: connection.logger).wait()) != nil else {
            _ = try? connection.close().wait()
            return nil
        }
        let keep = state.withLock { s -> Bool in
            guard !s.stopped else { return false }
            s.connection = connection
            s.notifications &+= 1  // a fresh connection may have missed changes: count one
            return true
        }
        if !keep { _ = try? connection.close().wait() }
        return keep ? state.withLock { $0.notifications } : nil
    }

    deinit { stop() }

    package func stop() {
        let connection = state.withLock { s -> PostgresConnection? in
            s.stopped = true
            defer { s.connection = nil }
            return s.connection
        }
        _ = try? connection?.close().wait()  // at exit: nothing to do about a failed close
    }
}
