import CallTopCore
import Foundation

extension LeaseOwner {
    /// An owner on this host whose process has certainly exited: a child that
    /// ran `/bin/true` and was reaped, so its pid answers ESRCH.
    public static func exitedLocalProcess() throws -> LeaseOwner {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/true")
        try child.run()
        child.waitUntilExit()
        return LeaseOwner(host: ProcessInfo.processInfo.hostName, pid: child.processIdentifier, token: "deaddead")
    }
}
