import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Process-wide settings made once, first thing in `main`, before any secret is read.
public enum ProcessHardening {
    /// - SIGPIPE ignored: writing to a speech worker (or a socket) whose reader
    ///   died returns EPIPE to the writer, which fails one job, instead of killing calltop.
    /// - No core dumps: a core file would hold the auth token and the API secret.
    /// - umask 077: whatever a library creates (SQLite's -wal, a temporary file) is private too.
    public static func apply() {
        ignoreBrokenPipes()
        var none = rlimit(rlim_cur: 0, rlim_max: 0)
        _ = setrlimit(Int32(RLIMIT_CORE.rawValue), &none)
        umask(0o077)
    }

    /// Also called before the first speech worker starts, so the core is safe
    /// to embed in a program that did not call `apply()`.
    public static func ignoreBrokenPipes() {
        signal(SIGPIPE, SIG_IGN)
    }

    /// The current core-file limit (soft, hard), for `doctor` and tests.
    public static func coreLimit() -> (soft: UInt64, hard: UInt64) {
        var limit = rlimit()
        _ = getrlimit(Int32(RLIMIT_CORE.rawValue), &limit)
        return (UInt64(limit.rlim_cur), UInt64(limit.rlim_max))
    }
}
