import Foundation

/// Resident memory of this process from /proc/self/status (Linux).
enum ProcessMemory {
    /// Peak resident set size (VmHWM), in MB.
    static var peakMB: Double { value("VmHWM:") }
    /// Current resident set size (VmRSS), in MB.
    static var currentMB: Double { value("VmRSS:") }

    /// Resets VmHWM to the current RSS (writing 5 to clear_refs), so a later
    /// peak belongs to what ran in between. False when the kernel refuses.
    @discardableResult
    static func resetPeak() -> Bool {
        let fd = open("/proc/self/clear_refs", O_WRONLY)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return write(fd, "5", 1) == 1
    }

    private static func value(_ key: String) -> Double {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return .nan }
        for line in text.split(separator: "\n") where line.hasPrefix(key) {
            let kb = line.dropFirst(key.count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first.flatMap { Double($0) }
            return (kb ?? .nan) / 1024
        }
        return .nan
    }
}
