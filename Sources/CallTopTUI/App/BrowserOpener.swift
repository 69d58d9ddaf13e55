import CallTopCore
import Foundation

/// `o` in the dashboard: opens a URL with xdg-open (open on macOS), only when
/// a local graphical session is at hand. Over ssh or on a bare console the
/// URL is on the status line and the clipboard instead.
enum BrowserOpener {
    static func canOpen(_ env: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        if env["SSH_CONNECTION"] != nil || env["SSH_TTY"] != nil { return false }
        #if os(macOS)
        return true
        #else
        return env["DISPLAY"].map { !$0.isEmpty } == true || env["WAYLAND_DISPLAY"].map { !$0.isEmpty } == true
        #endif
    }

    static func open(_ url: String) {
        guard canOpen(), url.hasPrefix("https://") else { return }
        let process = Process()
        #if os(macOS)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/open")
        #else
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        #endif
        process.arguments = (process.executableURL?.lastPathComponent == "env" ? ["xdg-open"] : []) + [url]
        // A browser is a child like any other: no secret of ours goes with it (the database URL holds a password).
        process.environment = ProcessInfo.processInfo.environment.filter { !Redactor.secretVariables.contains($0.key) }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try? process.run()  // no browser: the URL is already on the status line and the clipboard
    }
}
