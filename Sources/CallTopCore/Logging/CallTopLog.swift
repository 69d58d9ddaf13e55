import Foundation
import Logging
import Synchronization

/// Writes log lines to `<data-dir>/logs/calltop.log` (and stderr with `-v`),
/// redacted, and hands the `[OFFLINE_STT]`/`[WEBHOOK]` lines to the event bus
/// for the dashboard's log pane.
public struct CallTopLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let sink: LogSink

    public init(sink: LogSink) { self.sink = sink }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var text = "\(event.message)"
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        if !merged.isEmpty { text += " " + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ") }
        sink.write(level: event.level, message: text)
    }
}

/// The shared end of every handler: one file, one lock, one redactor. Every
/// line is redacted, then made safe (SafeText): a newline or an escape
/// sequence inside a URI or a caller's name cannot forge a line or reach the
/// terminal of someone reading the log.
public final class LogSink: Sendable {
    private let file: Mutex<RotatingLogFile?>
    public let path: URL?
    private let redactor: Redactor
    private let echoToStderr: Bool
    private let bus: EventBus?
    private let memory: Mutex<[String]>?

    /// `keepInMemory` is for tests: they read back exactly what was written.
    /// The file is rotated by size (`rotation`), keeping a few generations.
    public init(logFile: URL?, redactor: Redactor, echoToStderr: Bool = false, bus: EventBus? = nil, keepInMemory: Bool = false,
                rotation: LogRotation = LogRotation()) {
        self.file = Mutex(logFile.map { RotatingLogFile(url: $0, policy: rotation) })
        self.path = logFile
        self.redactor = redactor
        self.echoToStderr = echoToStderr
        self.bus = bus
        self.memory = keepInMemory ? Mutex([]) : nil
    }

    public func write(level: Logger.Level, message: String) {
        let clean = SafeText.escaped(redactor.clean(message))
        let line = "\(Self.timestamp()) \(Self.label[level] ?? "LOG") \(clean)\n"
        file.withLock { $0?.write(line) }
        memory?.withLock { $0.append(clean) }
        if echoToStderr { FileHandle.standardError.write(Data(line.utf8)) }
        if clean.hasPrefix("[OFFLINE_STT]") || clean.hasPrefix("[WEBHOOK]") { bus?.emit(.log(line: clean)) }
    }

    public func lines() -> [String] { memory?.withLock { $0 } ?? [] }

    public func makeLogger(label: String = "calltop", level: Logger.Level = .info) -> Logger {
        var logger = Logger(label: label) { _ in CallTopLogHandler(sink: self) }
        logger.logLevel = level
        return logger
    }

    /// Upper-cased once: `uppercased()` looks up each character's Unicode properties, per line.
    static let label = Dictionary(uniqueKeysWithValues: Logger.Level.allCases.map { ($0, $0.rawValue.uppercased()) })

    static func timestamp() -> String {
        Date().formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: true).timeSeparator(.colon))
    }
}
