import Foundation
import Logging

/// Runs downloads N at a time and, within a wait window, sleeps until the
/// next scheduled retry and tries again. What is still waiting when the
/// window ends stays retrying/not_ready with its next time.
public final class DownloadRunner: Sendable {
    public struct Options: Sendable {
        public var concurrency: Int
        /// How long a run waits for retries that are scheduled later.
        public var wait: TimeInterval
        /// Attempts under way at once; the account's gate decides how many requests really are in flight.
        public init(concurrency: Int = 32, wait: TimeInterval = 120) {
            self.concurrency = max(1, concurrency)
            self.wait = max(0, wait)
        }
    }

    public struct Summary: Sendable, Equatable {
        public var byState: [DownloadState: Int] = [:]
        public var attempts = 0
        /// The store could not be read while the run looked for work: what it
        /// reports may then be incomplete, and the caller must say so.
        public var storeError: String?
        public var total: Int { byState.values.reduce(0, +) }
        public var allSettled: Bool {
            [.retrying, .notReady, .pending, .downloading].reduce(0) { $0 + (byState[$1] ?? 0) } == 0
        }
        public var everythingDownloaded: Bool { total == (byState[.downloaded] ?? 0) + (byState[.absent] ?? 0) }
    }

    /// Reports what the run is doing: for a progress line on a terminal.
    public enum Progress: Sendable {
        case finished(sid: String, decision: DownloadDecision)
        case waiting(count: Int, until: Date)
    }

    let downloader: RecordingDownloader
    let store: any CallStore
    let clock: any WallClock
    let sleep: @Sendable (TimeInterval) async -> Void

    public init(downloader: RecordingDownloader, store: any CallStore, clock: any WallClock = SystemClock(),
                sleep: @escaping @Sendable (TimeInterval) async -> Void = { try? await Task.sleep(for: .seconds($0)) }) {
        self.downloader = downloader
        self.store = store
        self.clock = clock
        self.sleep = sleep
    }

    /// Downloads `targets` (recording SIDs). Only those that are due are tried;
    /// the rest wait for their time if it falls inside the window.
    public func run(_ targets: [String], options: Options, progress: @escaping @Sendable (Progress) -> Void = { _ in }) async -> Summary {
        let targetSet = Set(targets)
        let deadline = clock.now().addingTimeInterval(options.wait)
        var summary = Summary()
        func read<T>(_ body: () throws -> T) -> T? {
            do { return try body() } catch { summary.storeError = "\(error)"; return nil }
        }
        while !Task.isCancelled {
            guard let all = read({ try store.dueRecordingSids(now: clock.now()) }) else { break }
            let due = all.filter(targetSet.contains)
            if !due.isEmpty {
                summary.attempts += due.count
                await withTaskGroup(of: Void.self) { group in
                    var iterator = due.makeIterator()
                    func startNext() -> Bool {
                        guard let sid = iterator.next() else { return false }
                        group.addTask {
                            // Nil: another process claimed it first; its result shows up in the store.
                            if let decision = await self.downloader.attempt(sid) {
                                progress(.finished(sid: sid, decision: decision))
                            }
                        }
                        return true
                    }
                    for _ in 0..<options.concurrency where !startNext() { break }
                    while await group.next() != nil { _ = startNext() }
                }
                continue
            }
            guard let states = read({ try store.downloadStates(among: targetSet) }) else { break }
            // Recordings another process is downloading: wait for its result (within the window).
            if states.values.contains(.downloading), clock.now() < deadline {
                await sleep(0.25)
                continue
            }
            guard let next = read({ try store.nextRetry(among: targetSet) }) ?? nil, next <= deadline else { break }
            let waitingCount = states.values.filter { $0 == .retrying || $0 == .notReady }.count
            progress(.waiting(count: waitingCount, until: next))
            await sleep(max(0.05, next.timeIntervalSince(clock.now())))
        }
        for state in (read({ try store.downloadStates(among: targetSet) }) ?? [:]).values { summary.byState[state, default: 0] += 1 }
        return summary
    }
}
