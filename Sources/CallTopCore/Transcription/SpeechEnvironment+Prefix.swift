import Foundation

extension SpeechEnvironment {
    /// The speech engine `make install` puts beside the binary:
    /// `<prefix>/bin/calltop` finds `<prefix>/lib/calltop/{speech/worker.py,.venv}`.
    /// Nil when the binary is not installed that way (a build tree).
    public static func installPrefixRoot(executable: URL?) -> URL? {
        guard let bin = executable?.deletingLastPathComponent() else { return nil }
        let root = bin.deletingLastPathComponent().appendingPathComponent("lib/calltop", isDirectory: true)
        return FileManager.default.fileExists(atPath: root.appendingPathComponent("speech/worker.py").path) ? root : nil
    }
}
