import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether code at a path can be trusted to run as us: it (after symlinks)
/// belongs to us or to root, and no other user can write to it.
public enum TrustedPath {
    /// Why `url` is not trusted, or nil. A missing path is not this check's business.
    public static func problem(_ url: URL) -> String? {
        // stat follows symlinks: a venv's python is judged by the interpreter it points to.
        var st = stat()
        guard stat(url.path, &st) == 0 else { return nil }
        if st.st_uid != geteuid() && st.st_uid != 0 {
            return "\(url.path) belongs to uid \(st.st_uid), not to you or root"
        }
        // A sticky world-writable folder (/tmp) still lets others add files: refused too.
        if st.st_mode & 0o022 != 0 {
            return "\(url.path) is writable by \(st.st_mode & 0o002 != 0 ? "every user" : "its group") (mode \(String(st.st_mode & 0o7777, radix: 8)))"
        }
        return nil
    }

    public static func firstUntrusted(_ urls: [URL]) -> String? {
        urls.lazy.compactMap(problem).first
    }
}
