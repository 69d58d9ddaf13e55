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
        /// A run reads at most this many pages, whatever `next_page_uri` says.
        public var maxPages: Int
        public init(since: Date? = nil, limit: Int? = nil, pageSize: Int = 500, maxPages: Int = 10_000) {
            self.since = since
            self.limit = limit
            self.pageSize = min(1000, max(1, pageSize))
            self.maxPages = max(1, maxPages)
        }
    }

    public struct Report: Sendable, Equatable {
        public var calls = 0
        public var newCalls = 0
        public var recordings = 0
        public var newRecordings = 0
        public var pages = 0
        /// List items that could not be read (kept in the store with the reason).
        public var rejected = 0
        public var windowStart: String?
        /// The page this run started from when it went on from an interrupted one.
        public var resumedFrom: String?
    }

    public struct Failure: Error, CustomStringConvertible {
        public var partial: Report
        public var error: TwilioError
        public var description: String {
            "sync stopped after \(partial.pages) page(s) (\(partial.calls) calls, \(partial.recordings) recordings kept): \(error)"
                + " — the next `calltop sync` goes on from the failed page"
        }
    }

    static let markName = "last_sync"
    /// The first sync looks this far back unless --since says otherwise.
    public static let defaultLookback: TimeInterval = 7 * 86_400

    let client: TwilioClient
    let store: any CallStore
    let logger: Logger
    let bus: EventBus?
    let clock: any WallClock

    public init(client: TwilioClient, store: any CallStore, logger: Logger, bus: EventBus? = nil, clock: any WallClock = SystemClock()) {
        self.client = client
        self.store = store
        self.logger = logger
        self.bus = bus
        self.clock = clock
    }

    /// When the last full sync started. An unreadable mark counts as none: the
    /// next run then covers the default lookback, which re-syncs idempotently.
    public func lastSync() -> Date? {
        do { return try store.syncMark(Self.markName) } catch {
            logger.warning("sync: could not read the last sync time (\(error)); covering the default window")
            return nil
        }
    }

    /// Bookkeeping after a page or a run: losing it costs only a longer next sync, so it is logged, not thrown.
    private func remember(_ what: String, _ write: () throws -> Void) {
        do { try write() } catch { logger.warning("sync: could not record \(what): \(error)") }
    }

    /// Twilio's date filters take a UTC day; `StartTime>` means "on or after".
    static func day(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }

    public func run(_ options: Options = Options()) async throws(Failure) -> Report {
        let started = clock.now()
        bus?.emit(.syncStarted)
        let from = options.since ?? lastSync().map { $0.addingTimeInterval(-86_400) } ?? started.addingTimeInterval(-Self.defaultLookback)
        var report = Report(windowStart: Self.day(from))
        // An interrupted run left the page it failed on: go on from there, over
        // the same window, unless the user asked for another one. A --limit run
        // filters recordings by the calls it took, which a resumed run no longer knows.
        var cursor: SyncCursor?
        if options.limit == nil {
            do { cursor = try store.syncCursor(Self.markName) } catch {
                logger.warning("sync: could not read where the last run stopped (\(error)); starting from the window's first page")
            }
        }
        if let c = cursor, options.since != nil, c.windowStart != report.windowStart { cursor = nil }
        if let c = cursor {
            report.windowStart = c.windowStart
            report.resumedFrom = c.pageURI
            logger.info("sync: going on from \(c.phase.rawValue) page \(c.pageURI.split(separator: "?").first ?? "")")
        }
        var current = cursor ?? SyncCursor(phase: .calls, pageURI: client.callsPageURI(startedOnOrAfter: report.windowStart, pageSize: options.pageSize),
                                           windowStart: report.windowStart)
        var pages = PageWalk(maxPages: options.maxPages)
        var known = Set<String>()
        do {
            if current.phase == .calls {
                try await walk(from: &current, pages: &pages, report: &report) { (calls: [TwilioCall], report: inout Report) in
                    var calls = calls
                    if let limit = options.limit { calls = Array(calls.prefix(max(0, limit - report.calls))) }
                    report.newCalls += try store.upsertCalls(calls, now: started)
                    report.calls += calls.count
                    known.formUnion(calls.map(\.sid))
                    return options.limit.map { report.calls < $0 } ?? true
                }
                current = SyncCursor(phase: .recordings, pageURI: client.recordingsPageURI(createdOnOrAfter: report.windowStart, pageSize: options.pageSize),
                                     windowStart: report.windowStart)
            }
            try await walk(from: &current, pages: &pages, report: &report) { (items: [TwilioRecording], report: inout Report) in
                // With --limit, recordings of calls we did not take would appear nowhere.
                let recordings = options.limit == nil ? items : items.filter { $0.callSid.map(known.contains) ?? false }
                report.newRecordings += try store.upsertRecordings(recordings, now: started)
                report.recordings += recordings.count
                return true
            }
        } catch {
            let twilioError: TwilioError = switch error {
            case let e as TwilioError: e
            case let refusal as PageWalk.Refusal: .decoding(refusal.description)
            default: .decoding("store: \(error)")
            }
            if options.limit == nil { remember("where this run stopped") { try store.setSyncCursor(Self.markName, current, now: clock.now()) } }
            bus?.emit(.syncFailed(message: twilioError.description))
            logger.error("sync failed: \(twilioError)")
            throw Failure(partial: report, error: twilioError)
        }
        remember("the finished run") {
            try store.setSyncCursor(Self.markName, nil, now: clock.now())
            try store.setSyncMark(Self.markName, started)
        }
        let setAside = report.rejected > 0 ? ", \(report.rejected) unreadable item(s) set aside" : ""
        logger.info("sync: \(report.calls) calls (\(report.newCalls) new), \(report.recordings) recordings (\(report.newRecordings) new) in \(report.pages) pages from \(report.windowStart ?? "-")\(setAside)")
        bus?.emit(.syncFinished(at: started, calls: report.calls))
        return report
    }

    /// Reads pages from `cursor` along `next_page_uri`, keeping the cursor on
    /// the page being read so a failure leaves it where to go on from. `store`
    /// keeps a page's items and says whether to read on.
    private func walk<Item: Decodable & Sendable>(
        from cursor: inout SyncCursor, pages: inout PageWalk, report: inout Report,
        store keep: ([Item], inout Report) throws -> Bool
    ) async throws {
        var uri: String? = cursor.pageURI
        while let pageURI = uri {
            cursor.pageURI = pageURI
            try pages.visit(pageURI)
            let page: TwilioPage<Item> = try await client.getJSON(pageURI)
            report.pages += 1
            try keepRejects(page.rejected, pageURI: pageURI, report: &report)
            guard try keep(page.items, &report) else { return }
            uri = page.nextPageURI
        }
    }

    private func keepRejects(_ rejects: [RejectedItem], pageURI: String, report: inout Report) throws {
        guard !rejects.isEmpty else { return }
        report.rejected += rejects.count
        try store.recordSyncRejects(rejects, pageURI: pageURI, now: clock.now())
        for r in rejects {
            logger.warning("sync: item \(r.index) of \(pageURI.split(separator: "?").first ?? "") (\(r.sid ?? "no sid")) set aside: \(r.reason)")
        }
    }
}

/// Guards a walk along `next_page_uri`: a page seen before means the links
/// loop, and no run reads more than `maxPages`.
struct PageWalk {
    struct Refusal: Error, CustomStringConvertible {
        var description: String
    }

    let maxPages: Int
    private var seen = Set<String>()

    init(maxPages: Int) { self.maxPages = maxPages }

    mutating func visit(_ uri: String) throws(Refusal) {
        guard seen.count < maxPages else {
            throw Refusal(description: "more than \(maxPages) list pages in one sync: stopped (narrow it with --since)")
        }
        guard seen.insert(uri).inserted else {
            throw Refusal(description: "Twilio's next_page_uri leads back to a page already read (\(uri.split(separator: "?").first ?? "")): stopped")
        }
    }
}
