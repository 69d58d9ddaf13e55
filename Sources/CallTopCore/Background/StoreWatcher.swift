import Foundation

/// Notices another process (`calltop serve`, a CLI download) writing to the
/// same store: the store's change stamp is read every `interval`, and
/// `onChange` runs once per look that saw a difference, however many writes
/// happened in between.
public final class StoreWatcher: Sendable {
    private let stamp: @Sendable () -> String
    private let interval: Duration
    private let onChange: @Sendable () -> Void
    private let background = BackgroundTask()

    public convenience init(store: any CallStore, interval: Duration = .seconds(2), onChange: @escaping @Sendable () -> Void) {
        self.init(interval: interval, stamp: { store.changeStamp() }, onChange: onChange)
    }

    /// `stamp` changes whenever the store does (size and modification time of its files).
    public init(interval: Duration = .seconds(2), stamp: @escaping @Sendable () -> String, onChange: @escaping @Sendable () -> Void) {
        self.stamp = stamp
        self.interval = interval
        self.onChange = onChange
    }

    /// Watches until the task is cancelled.
    public func run() async {
        await Self.watch(stamp: stamp, interval: interval, onChange: onChange)
    }

    /// Starts watching in the background; a second call while it runs does nothing.
    public func start() {
        let (stamp, interval, onChange) = (self.stamp, self.interval, self.onChange)
        background.start { await Self.watch(stamp: stamp, interval: interval, onChange: onChange) }
    }

    public func stop() { background.stop() }

    private static func watch(stamp: @Sendable () -> String, interval: Duration, onChange: @Sendable () -> Void) async {
        var changes = ChangeDetector(stamp())
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            if changes.changed(stamp()) { onChange() }
        }
    }
}

/// The last stamp seen, and whether a new one differs from it.
public struct ChangeDetector: Sendable, Equatable {
    public private(set) var last: String

    public init(_ first: String) { last = first }

    /// True once per new stamp; the same stamp again is no change.
    public mutating func changed(_ stamp: String) -> Bool {
        guard stamp != last else { return false }
        last = stamp
        return true
    }
}
