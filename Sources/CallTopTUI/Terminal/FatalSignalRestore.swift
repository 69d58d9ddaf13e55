import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Puts the terminal back when calltop dies of a signal the dashboard's loop
/// cannot wait for: abort(), a crash (SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE),
/// SIGQUIT. SIGINT, SIGTERM and SIGHUP stop the loop gracefully instead
/// (DashboardRuntime), which ends ncurses properly.
///
/// The handler only does what is safe in a signal handler: tcsetattr with the
/// settings saved before ncurses started, one write() that leaves the alternate
/// screen and shows the cursor, then the default action (the process still dies
/// of the signal, as the shell and any supervisor expect).
enum FatalSignalRestore {
    static let signals: [Int32] = [SIGABRT, SIGQUIT, SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE]

    /// Saves the terminal's settings now; call before ncurses changes them.
    static func install() {
        guard tcgetattr(STDIN_FILENO, savedSettings) == 0 else { return }
        for sig in signals { signal(sig, restoreAndDie) }
    }

    static func uninstall() {
        for sig in signals { signal(sig, SIG_DFL) }
    }
}

/// Allocated once, never freed: the handler reads it without touching Swift's runtime.
nonisolated(unsafe) private let savedSettings = UnsafeMutablePointer<termios>.allocate(capacity: 1)
/// leave the alternate screen, reset attributes, show the cursor, new line.
nonisolated(unsafe) private let resetSequence: StaticString = "\u{1B}[?1049l\u{1B}[0m\u{1B}[?25h\r\n"

private func restoreAndDie(_ sig: Int32) {
    _ = tcsetattr(STDIN_FILENO, TCSANOW, savedSettings)
    _ = write(STDOUT_FILENO, resetSequence.utf8Start, resetSequence.utf8CodeUnitCount)
    signal(sig, SIG_DFL)
    raise(sig)
}
