import CallTopCore
import Foundation

/// Text formatting shared by the views. Everything takes the time zone and
/// calendar explicitly so output is the same in every test run.
struct Formatting {
    let calendar: Calendar

    init(timeZone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    /// "11-27 14:02": the list's start time column.
    func dayTime(_ date: Date?) -> String {
        guard let date else { return "—" }
        let c = calendar.dateComponents([.month, .day, .hour, .minute], from: date)
        return "\(two(c.month))-\(two(c.day)) \(two(c.hour)):\(two(c.minute))"
    }

    /// Five columns: "14:02" for today's calls, "11-26" for older ones.
    func compactTime(_ date: Date?, now: Date) -> String {
        guard let date else { return "—" }
        if calendar.isDate(date, inSameDayAs: now) {
            let c = calendar.dateComponents([.hour, .minute], from: date)
            return "\(two(c.hour)):\(two(c.minute))"
        }
        let c = calendar.dateComponents([.month, .day], from: date)
        return "\(two(c.month))-\(two(c.day))"
    }

    /// "14:02:11".
    func clock(_ date: Date?) -> String {
        guard let date else { return "—" }
        let c = calendar.dateComponents([.hour, .minute, .second], from: date)
        return "\(two(c.hour)):\(two(c.minute)):\(two(c.second))"
    }

    /// "2025-11-27 14:02:11 UTC": detail view timestamps, with the zone said.
    func full(_ date: Date?) -> String {
        guard let date else { return "—" }
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let zone = calendar.timeZone.identifier == "UTC" ? "UTC" : calendar.timeZone.abbreviation(for: date) ?? calendar.timeZone.identifier
        return "\(c.year ?? 0)-\(two(c.month))-\(two(c.day)) \(two(c.hour)):\(two(c.minute)):\(two(c.second)) \(zone)"
    }

    private func two(_ n: Int?) -> String {
        let n = n ?? 0
        return n < 10 ? "0\(n)" : "\(n)"
    }

    /// "0:45", "12:34", "1:02:03".
    static func duration(_ seconds: Int?) -> String {
        guard let seconds, seconds >= 0 else { return "—" }
        let h = seconds / 3600, m = (seconds % 3600) / 60, s = seconds % 60
        let ss = s < 10 ? "0\(s)" : "\(s)"
        if h > 0 { return "\(h):\(m < 10 ? "0\(m)" : "\(m)"):\(ss)" }
        return "\(m):\(ss)"
    }

    /// "12s", "4m", "2h05m", "3d": how long ago.
    static func age(_ seconds: TimeInterval) -> String {
        let s = max(0, Int(seconds))
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m" }
        if s < 86400 { let m = (s % 3600) / 60; return "\(s / 3600)h\(m < 10 ? "0\(m)" : "\(m)")m" }
        return "\(s / 86400)d"
    }

    /// htop-style sizes that fit 6 columns: "812B", "1.5K", "12.3M", "1.2G".
    static func humanBytes(_ bytes: Int64?) -> String {
        guard let bytes else { return "—" }
        if bytes < 1024 { return "\(bytes)B" }
        let units = ["K", "M", "G", "T"]
        var value = Double(bytes) / 1024
        var unit = 0
        while value >= 1024, unit < units.count - 1 { value /= 1024; unit += 1 }
        if value >= 100 { return "\(Int(value.rounded()))\(units[unit])" }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)\(units[unit])"
    }

    /// "1,234,567 bytes": the detail view never rounds.
    static func exactBytes(_ bytes: Int64?) -> String {
        guard let bytes else { return "—" }
        let digits = String(bytes.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return (bytes < 0 ? "-" : "") + out + " bytes"
    }

    static func direction(_ direction: String) -> String {
        if direction.hasPrefix("inbound") { return "in" }
        if direction.hasPrefix("outbound") { return "out" }
        return String(direction.prefix(3))
    }

    static func transcriptLabel(_ source: TranscriptSource) -> String {
        switch source {
        case .offline: return "OFFLINE"
        case .realtime: return "REALTIME"
        case .none: return "—"
        }
    }

    static func deliveryMark(_ delivery: String?) -> String {
        switch delivery {
        case "delivered": return " ✓"
        case "pending": return " …"
        case "failing": return " ✗"
        default: return ""
        }
    }

    static func transcriptRole(_ source: TranscriptSource) -> StyleRole {
        switch source {
        case .offline: return .transcriptOffline
        case .realtime: return .transcriptRealtime
        case .none: return .dim
        }
    }
}

/// Display-width-aware fitting of text into columns.
enum TextFit {
    /// Cuts `text` to `width` columns, ending in "…" when something was cut.
    static func truncate(_ text: String, to width: Int) -> String {
        guard width > 0 else { return "" }
        if DisplayWidth.of(text) <= width { return text }
        var out = ""
        var used = 0
        for ch in text {
            let w = DisplayWidth.of(ch)
            if used + w > width - 1 { break }
            out.append(ch)
            used += w
        }
        return out + "…"
    }

    static func padLeft(_ text: String, to width: Int) -> String {
        let t = truncate(text, to: width)
        return String(repeating: " ", count: max(0, width - DisplayWidth.of(t))) + t
    }

    /// Splits text into lines of at most `width` columns, at spaces when it can.
    static func wrap(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            var lineWidth = 0
            for word in paragraph.split(separator: " ", omittingEmptySubsequences: false) {
                var word = Substring(word)
                var wordWidth = DisplayWidth.of(word)
                if lineWidth > 0, lineWidth + 1 + wordWidth > width {
                    lines.append(line)
                    line = ""
                    lineWidth = 0
                }
                // A word longer than a line (a URI, a hash) is cut hard, in one pass over it.
                while wordWidth > width {
                    var head = lineWidth > 0 ? " " : ""
                    var used = lineWidth > 0 ? lineWidth + 1 : 0
                    var cut = word.startIndex
                    var taken = 0
                    while cut < word.endIndex {
                        let w = DisplayWidth.of(word[cut])
                        // Always take one character, even one wider than the line, so this ends.
                        if used + w > width && !(taken == 0 && lineWidth == 0) { break }
                        head.append(word[cut]); used += w; taken += w
                        cut = word.index(after: cut)
                    }
                    lines.append(line + head)
                    line = ""; lineWidth = 0
                    word = word[cut...]
                    wordWidth -= taken
                }
                if lineWidth > 0 { line += " "; lineWidth += 1 }
                line += word
                lineWidth += wordWidth
            }
            lines.append(line)
        }
        return lines
    }
}
