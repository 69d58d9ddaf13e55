import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Everything under the data dir is personal data (recordings, numbers,
/// transcripts): folders 0700, files 0600, whatever the umask. These are the
/// only ways calltop creates them.
public enum PrivateFiles {
    public static let folderMode: mode_t = 0o700
    public static let fileMode: mode_t = 0o600

    /// Creates `url` as 0700 (missing parents as ordinary folders). An existing folder is left as it is.
    public static func createDirectory(_ url: URL) throws {
        let path = url.standardizedFileURL.path
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue { return }
        // Parents (~/.local/share) are ordinary folders; only the last one holds our data.
        try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(),
                                                withIntermediateDirectories: true)
        if mkdir(path, folderMode) != 0 && errno != EEXIST {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path,
                NSLocalizedDescriptionKey: "cannot create \(path): \(String(cString: strerror(errno)))"])
        }
        chmod(path, folderMode)  // mkdir's mode is masked by the umask
    }

    /// Opens `url` for appending, creating it 0600; a file of ours that is wider is narrowed.
    public static func openForAppend(_ url: URL) -> Int32 {
        let fd = open(url.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, fileMode)
        if fd >= 0 { narrow(fd) }
        return fd
    }

    /// Makes sure `url` exists as a 0600 file (empty if new) before a library opens it:
    /// SQLite gives its -wal and -shm files the mode of the database file.
    /// An existing file is narrowed by path, without opening it (see `prepareStore`).
    public static func touch(_ url: URL) throws {
        var st = stat()
        if lstat(url.path, &st) == 0, st.st_mode & S_IFMT == S_IFREG {
            narrow(path: url.path)
            return
        }
        let fd = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, fileMode)
        guard fd >= 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path,
                NSLocalizedDescriptionKey: "cannot create \(url.path): \(String(cString: strerror(errno)))"])
        }
        narrow(fd)
        close(fd)
    }

    /// The store's folder and files: the data dir 0700, `calltop.sqlite` (and any -wal/-shm) 0600.
    public static func prepareStore(in dataDir: URL, fileName: String = "calltop.sqlite") throws {
        try createDirectory(dataDir)
        let db = dataDir.appendingPathComponent(fileName)
        try touch(db)
        // By path, never through a descriptor: closing any descriptor of a SQLite file drops every
        // POSIX lock this process holds on it, so a second store opened here would pull the locks out
        // from under the first (another process then rebuilds the -shm under its mapping: SIGBUS).
        for suffix in ["-wal", "-shm"] { narrow(path: db.path + suffix) }
    }

    /// The same by path, for files SQLite may hold open; symlinks are left alone.
    private static func narrow(path: String) {
        var st = stat()
        guard lstat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG, st.st_uid == geteuid(), st.st_mode & 0o077 != 0 else { return }
        chmod(path, st.st_mode & 0o700)
    }

    /// Removes group and other bits from a file we own (one made before calltop kept its files private).
    private static func narrow(_ fd: Int32) {
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_uid == geteuid(), st.st_mode & 0o077 != 0 else { return }
        fchmod(fd, st.st_mode & 0o700)
    }

    /// Permission bits of a path (following symlinks), or nil if it does not exist.
    public static func mode(_ url: URL) -> mode_t? {
        var st = stat()
        return stat(url.path, &st) == 0 ? st.st_mode & 0o7777 : nil
    }
}
