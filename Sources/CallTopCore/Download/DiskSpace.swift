import Foundation

public enum DiskSpace {
    /// Bytes an unprivileged process may still write on the file system holding `path`.
    public static func freeBytes(at path: String) -> Int64? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        return Int64(info.f_bavail) * Int64(info.f_frsize)
    }

    /// Below this, `doctor` warns: a few long dual-channel WAV recordings.
    public static let lowWatermark: Int64 = 1 << 30
}
