import Foundation

/// How a `calltop worker` is set up: its name, its slots and its clocks.
public struct WorkerSettings: Sendable, Equatable {
    public var name: String
    /// Downloads run at once.
    public var downloads: Int
    /// Transcriptions run at once, one speech worker each; 0 turns transcription off.
    public var transcriptions: Int
    /// Seconds between syncs of the worker holding the sync lease.
    public var syncInterval: TimeInterval
    /// On SIGTERM, seconds running jobs get to finish before they are handed back.
    public var drainTimeout: TimeInterval
    /// How long a claim (and the sync lease) lasts without renewal: a dead worker's jobs wait this long at most.
    public var leaseSeconds: TimeInterval
    /// Seconds between looks for new work when nothing wakes the worker sooner.
    public var pollInterval: TimeInterval
    public var model: String

    public init(name: String, downloads: Int = 4, transcriptions: Int = 1, syncInterval: TimeInterval = 60,
                drainTimeout: TimeInterval = 20, leaseSeconds: TimeInterval = 60, pollInterval: TimeInterval = 1,
                model: String = SpeechEnvironment.defaultModel) {
        self.name = name
        self.downloads = max(0, downloads)
        self.transcriptions = max(0, transcriptions)
        self.syncInterval = syncInterval
        self.drainTimeout = max(0, drainTimeout)
        self.leaseSeconds = max(1, leaseSeconds)
        self.pollInterval = max(0.05, pollInterval)
        self.model = model
    }

    /// `host-pid`: unique on a host at any moment, readable in the workers pane.
    public static func defaultName(host: String = ProcessInfo.processInfo.hostName, pid: Int32 = getpid()) -> String {
        let short = host.split(separator: ".").first.map(String.init) ?? host
        return "\(short.isEmpty ? "worker" : short)-\(pid)"
    }

    /// A worker name goes into logs and the workers pane: letters, digits and `._@-`, 1…64 of them.
    public static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.count) && name.unicodeScalars.allSatisfy {
            ($0.isASCII && CharacterSet.alphanumerics.contains($0)) || "._@-".unicodeScalars.contains($0)
        }
    }

    /// The heartbeat renews leases and the sync lease: well inside a lease, and often enough to look alive.
    public var heartbeatInterval: TimeInterval { min(5, leaseSeconds / 3) }
}

/// `--sync-interval` and friends: seconds (`60`, `2.5`) or a duration with a
/// unit (`500ms`, `60s`, `2m`, `1h`).
public enum WorkerDuration {
    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public var text: String
        public var description: String {
            "'\(text)' is not a duration: give seconds (60) or a number with a unit (500ms, 60s, 2m, 1h), more than 0"
        }
    }

    public static func parse(_ text: String) throws(Invalid) -> TimeInterval {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        var number = Substring(trimmed)
        var scale = 1.0
        if let (suffix, factor) = units.first(where: { trimmed.hasSuffix($0.0) }) {
            number = number.dropLast(suffix.count)
            scale = factor
        }
        // Only plain decimals: no "nan", "inf", hex or exponents.
        guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
              number.filter({ $0 == "." }).count <= 1, let value = Double(number), value.isFinite, value > 0 else {
            throw Invalid(text: text)
        }
        let seconds = value * scale
        guard seconds.isFinite, seconds > 0 else { throw Invalid(text: text) }
        return seconds
    }
}
