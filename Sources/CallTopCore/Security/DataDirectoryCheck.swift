import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Before anything is read or written in the data dir: it must be ours, and
/// it should be private. A folder owned by someone else is refused (they could
/// read every recording, or plant a store); one others can read is used, with
/// a warning that says how to fix it.
public enum DataDirectoryCheck {
    /// Creates the data dir (0700) with its `recordings/` and `logs/` folders when
    /// missing; returns the warnings to show; throws when the folder is not ours.
    public static func prepare(_ dataDir: URL) throws(ConfigError) -> [String] {
        let path = dataDir.standardizedFileURL.path
        var st = stat()
        if stat(path, &st) == 0 {
            guard st.st_mode & S_IFMT == S_IFDIR else {
                throw .invalid("data dir \(path) is not a folder: pass --data-dir DIR (or set CALLTOP_HOME)")
            }
            guard st.st_uid == geteuid() else {
                throw .invalid("data dir \(path) belongs to uid \(st.st_uid), not to you (uid \(geteuid())): refusing to use it. "
                    + "Use your own with --data-dir DIR (or CALLTOP_HOME), or chown it")
            }
        }
        do {
            try PrivateFiles.createDirectory(dataDir)
            for folder in ["recordings", "logs"] {
                try PrivateFiles.createDirectory(dataDir.appendingPathComponent(folder, isDirectory: true))
            }
        } catch {
            throw .invalid("cannot create the data dir \(path): \(error.localizedDescription)")
        }
        return warnings(dataDir)
    }

    /// A warning for each folder of the data dir that other users can enter or read.
    public static func warnings(_ dataDir: URL) -> [String] {
        let path = dataDir.standardizedFileURL.path
        guard let mode = PrivateFiles.mode(dataDir), mode & 0o077 != 0 else { return [] }
        let who = mode & 0o007 != 0 ? "every local user" : "its group"
        return ["data dir \(path) is open to \(who) (mode \(String(mode, radix: 8))) and holds recordings, numbers "
            + "and transcripts: run `chmod 700 \(path)`"]
    }
}
