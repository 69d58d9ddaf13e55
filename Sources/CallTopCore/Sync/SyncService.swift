import Foundation
import Logging

/// Pulls calls and recording metadata into the store. Incremental (from the
/// last successful sync, overlapping a day) and idempotent; each page is
/// stored as it arrives, so a failure mid-way keeps what was fetched.
public final class SyncService: Sendable {
    public struct Options: Sendable {
        public var since: Date?
        public var limit: Int?
        public var pageSize: Int
        public init(since: Date? = nil, limit: Int? = nil, pageSize: Int = 500) {
            self.since = since
            self.limit = limit
            self.pageSize = min(1000, max(1, pageSize))
        }
    }

    public struct Report: Sendable, Equatable {
        public var calls = 0
        public var newCalls = 0
        public var recordings = 0
        public var newRecordings = 0
        public var pages = 0
        public var windowStart: String?
    }

    public struct Failure: Error, CustomStringConvertible {
        public var partial: Report
        public var error: TwilioError
        public var description: String {
            "sync stopped after \(partial.pages) page(s) (\(partial.calls) calls, \(partial.recordings) recordings kept): \(error)"
        }
    }

    static let markName = "last_sync"
    /// The first sync looks this far back unless --since says otherwise.
    public static let defaultLookback: TimeInterval = 7 * 86_400

    let client: TwilioClient
    let store: Store
    let logger: Logger
    let bus: EventBus?
    let now: @Sendable () -> Date

    public init(client: TwilioClient, store: Store, logger: Logger, bus: EventBus? = nil, now: @escaping @Sendable () -> Date = Date.init) {
        self.client = client
        self.store = store
        self.logger = logger
        self.bus = bus
        self.now = now
    }

    public func lastSync() -> Date? { try? store.syncMark(Self.markName) }

    /// Twilio's date filters take a UTC day; `StartTime>` means "on or after".
    static func day(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }

    public func run(_ options: Options = Options()) async throws(Failure) -> Report {
        let started = now()
        bus?.emit(.syncStarted)
        let from = options.since ?? lastSync().map { $0.addingTimeInterval(-86_400) } ?? started.addingTimeInterval(-Self.defaultLookback)
        var report = Report(windowStart: Self.day(from))
        do {
            var uri: String? = client.callsPageURI(startedOnOrAfter: report.windowStart, pageSize: options.pageSize)
            var known = Set<String>()
            pages: while let pageURI = uri {
                let page: TwilioPage<TwilioCall> = try await client.getJSON(pageURI)
                report.pages += 1
                var calls = page.items
                if let limit = options.limit { calls = Array(calls.prefix(max(0, limit - report.calls))) }
                report.newCalls += try store.upsertCalls(calls, now: started)
                report.calls += calls.count
                known.formUnion(calls.map(\.sid))
                if let limit = options.limit, report.calls >= limit { break pages }
                uri = page.nextPageURI
            }
            uri = client.recordingsPageURI(createdOnOrAfter: report.windowStart, pageSize: options.pageSize)
            while let pageURI = uri {
                let page: TwilioPage<TwilioRecording> = try await client.getJSON(pageURI)
                report.pages += 1
                // With --limit, recordings of calls we did not take would appear nowhere.
                let recordings = options.limit == nil ? page.items : page.items.filter { $0.callSid.map(known.contains) ?? false }
                report.newRecordings += try store.upsertRecordings(recordings, now: started)
                report.recordings += recordings.count
                uri = page.nextPageURI
            }
        } catch let error as TwilioError {
            bus?.emit(.syncFailed(message: error.description))
            logger.error("sync failed: \(error)")
            throw Failure(partial: report, error: error)
        } catch {
            let wrapped = TwilioError.decoding("store: \(error)")
            bus?.emit(.syncFailed(message: wrapped.description))
            throw Failure(partial: report, error: wrapped)
        }
        try? store.setSyncMark(Self.markName, started)
        logger.info("sync: \(report.calls) calls (\(report.newCalls) new), \(report.recordings) recordings (\(report.newRecordings) new) in \(report.pages) pages from \(report.windowStart ?? "-")")
        bus?.emit(.syncFinished(at: started, calls: report.calls))
        return report
    }
}
