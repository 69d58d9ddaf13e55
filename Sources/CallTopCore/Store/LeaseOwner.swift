import Foundation

/// Who holds a claimed download or transcription: a host, a process id and a
/// token that tells apart two processes that got the same pid (after a
/// reboot, in another container). Written as `host:pid:token`.
public struct LeaseOwner: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var pid: Int32
    public var token: String

    public init(host: String, pid: Int32, token: String) {
        self.host = host
        self.pid = pid
        self.token = token
    }

    public static let thisProcess = LeaseOwner(
        host: ProcessInfo.processInfo.hostName, pid: getpid(), token: String(UUID().uuidString.prefix(8)).lowercased())

    public var description: String { "\(host):\(pid):\(token)" }

    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 3, let pid = Int32(parts[parts.count - 2]) else { return nil }
        self.init(host: parts.dropLast(2).joined(separator: ":"), pid: pid, token: String(parts[parts.count - 1]))
    }

    /// True when the owner ran on this host and its process is gone: its
    /// leases need not wait to expire. Another host's owner is never judged dead.
    public func isDeadLocalProcess(localHost: String = ProcessInfo.processInfo.hostName) -> Bool {
        guard host == localHost else { return false }
        if pid == getpid() { return self != .thisProcess }  // an earlier process that had our pid
        if kill(pid, 0) == 0 { return false }
        return errno == ESRCH
    }
}

/// How long a claim lasts without renewal, and how often the owner renews it.
public struct LeaseTerms: Sendable, Equatable {
    public var duration: TimeInterval
    public var renewEvery: TimeInterval { duration / 3 }

    public init(duration: TimeInterval = 60) {
        self.duration = max(1, duration)
    }
}
