import Foundation
import NIOCore
import PostgresNIO

/// What went wrong talking to the team's PostgreSQL, said so that an engineer
/// knows what to fix. Built from postgres-nio's errors, whose own description
/// is deliberately empty; never carries the password or the URL.
public struct PostgresStoreError: Error, CustomStringConvertible, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The server could not be reached, or the connection broke: worth trying again later.
        case unreachable
        /// Login refused: wrong password or user, or no pg_hba entry.
        case refused
        /// The role may not do this (a read-only dashboard, a missing GRANT).
        case permission
        /// The schema was written by a newer calltop.
        case schemaTooNew
        case other
    }

    public var kind: Kind
    public var description: String
    /// PostgreSQL's SQLSTATE, when the server answered.
    public var sqlState: String?

    public init(kind: Kind, _ description: String, sqlState: String? = nil) {
        self.kind = kind
        self.description = description
        self.sqlState = sqlState
    }

    /// `error` as the user should read it, for the server at `url`.
    static func from(_ error: any Error, url: DatabaseURL) -> PostgresStoreError {
        if let mine = error as? PostgresStoreError { return mine }
        let at = "PostgreSQL at \(url.endpoint)"
        guard let psql = error as? PSQLError else {
            return PostgresStoreError(kind: .unreachable, "could not reach \(at): \(error): is the server running, and are host and port right?")
        }
        if let info = psql.serverInfo, let state = info[.sqlState] {
            let message = info[.message] ?? "error"
            switch state {
            case "28P01":
                return .init(kind: .refused, "\(at) refused the password for user \(url.user) (\(state)): check the password in CALLTOP_DATABASE_URL", sqlState: state)
            case "28000":
                return .init(kind: .refused, "\(at) refused user \(url.user) (\(state)): \(message): check the user and the server's pg_hba.conf", sqlState: state)
            case "3D000":
                return .init(kind: .other, "\(at) has no database \(url.database) (\(state)): create it (createdb \(url.database)) or fix CALLTOP_DATABASE_URL", sqlState: state)
            case "42501":
                return .init(kind: .permission, "\(at): permission denied for user \(url.user) (\(state)): \(message); see \"Team mode roles\" in the README", sqlState: state)
            case "57P01", "57P02", "57P03":
                return .init(kind: .unreachable, "\(at) is shutting down or starting (\(state)): \(message)", sqlState: state)
            default:
                return .init(kind: .other, "\(at): \(message) (\(state))", sqlState: state)
            }
        }
        switch psql.code {
        case .sslUnsupported:
            return .init(kind: .refused, "\(at) does not offer TLS, but sslmode=\(url.sslMode.rawValue) requires it: enable ssl on the server or use sslmode=disable on a trusted network")
        case .authMechanismRequiresPassword:
            return .init(kind: .refused, "\(at) asks user \(url.user) for a password, and CALLTOP_DATABASE_URL has none")
        case .unsupportedAuthMechanism, .saslError:
            return .init(kind: .refused, "\(at) refused the login of user \(url.user) (\(psql.code)): check the password, and that the server uses scram-sha-256 or md5")
        case .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .connectionError, .failedToAddSSLHandler:
            return .init(kind: .unreachable, "lost or could not open the connection to \(at) (\(cause(psql))): is the server running, and are host and port right?")
        default:
            return .init(kind: .other, "\(at): \(psql.code)")
        }
    }

    /// NIO's errors nest several layers deep; the words an engineer knows are inside.
    static func cause(_ error: PSQLError) -> String {
        let text = error.underlying.map { "\($0)" } ?? "\(error.code)"
        let known = ["Connection refused": "connection refused", "connectTimeout": "timed out connecting", "timed out": "timed out",
                     "No route to host": "no route to host", "Name or service not known": "unknown host", "resolve": "unknown host",
                     "Connection reset": "connection reset", "serverClosedConnection": "the server closed the connection"]
        return known.first { text.contains($0.key) }?.value ?? String(text.prefix(160))
    }
}
