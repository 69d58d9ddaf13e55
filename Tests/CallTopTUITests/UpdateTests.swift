import CallTopCore
import Foundation
import Testing
@testable import CallTopTUI

@Suite("update: keys, selection, effects")
struct UpdateTests {
    private func press(_ state: inout DashboardState, _ keys: Key...) -> [DashboardEffect] {
        keys.flatMap { update(&state, .key($0)) }
    }

    @Test func navigationMovesAndClamps() {
        var state = Fixture.state()
        #expect(state.selectedSid == Fixture.sid("CA", 1))
        _ = press(&state, .character("j"), .down)
        #expect(state.selectedSid == Fixture.sid("CA", 3))
        _ = press(&state, .character("k"))
        #expect(state.selectedSid == Fixture.sid("CA", 2))
        _ = press(&state, .character("G"))
        #expect(state.selectedSid == Fixture.sid("CA", 9))
        _ = press(&state, .down)
        #expect(state.selectedIndex == 8)
        _ = press(&state, .character("g"), .up)
        #expect(state.selectedIndex == 0)
    }

    @Test func pagingMovesByAScreen() {
        let rows = (0..<500).map { i in
            CallRow(callSid: Fixture.sid("CA", i), from: "+1", to: "+2", direction: "inbound", callStatus: "completed",
                    startTime: Fixture.now.addingTimeInterval(Double(-i)), durationS: 1)
        }
        var state = Fixture.state(rows: rows, size: TerminalSize(columns: 80, rows: 24))
        let page = state.layout.bodyRows - 1
        _ = press(&state, .pageDown)
        #expect(state.selectedIndex == page)
        #expect(state.scrollTop > 0)
        _ = press(&state, .pageDown, .pageUp)
        #expect(state.selectedIndex == page)
        _ = press(&state, .end)
        #expect(state.selectedIndex == 499)
        #expect(state.scrollTop == 500 - state.layout.bodyRows)
    }

    @Test func selectionStaysOnTheSameCallAcrossReloadSortAndFilter() {
        var state = Fixture.state()
        _ = press(&state, .down, .down, .down, .down) // CA…5, failed
        let failed = Fixture.sid("CA", 5)
        #expect(state.selectedSid == failed)

        // New calls arrive on top: the selection follows the call, not the position.
        var rows = Fixture.rows()
        rows.insert(CallRow(callSid: Fixture.sid("CA", 100), from: "+1", to: "+2", direction: "inbound", callStatus: "in-progress",
                            startTime: Fixture.now, durationS: nil), at: 0)
        rows.insert(CallRow(callSid: Fixture.sid("CA", 101), from: "+1", to: "+2", direction: "inbound", callStatus: "in-progress",
                            startTime: Fixture.now, durationS: nil), at: 0)
        _ = update(&state, .rowsLoaded(rows.shuffled()))
        #expect(state.selectedSid == failed)
        #expect(state.selectedRow?.callSid == failed)

        _ = press(&state, .character("s")) // oldest first
        #expect(state.selectedSid == failed)
        _ = press(&state, .character("s")) // problems first: failed is at the top
        #expect(state.selectedIndex == 0)
        #expect(state.selectedSid == failed)

        _ = press(&state, .character("f")) // failed only
        #expect(state.visible.count == 1)
        #expect(state.selectedSid == failed)
        _ = press(&state, .escape) // clears filters
        #expect(state.visible.count == rows.count)
        #expect(state.selectedSid == failed)
    }

    @Test func filteringOutTheSelectionSelectsANeighbour() {
        var state = Fixture.state()
        _ = press(&state, .down) // CA…2 not_ready
        _ = press(&state, .character("f")) // failed only
        #expect(state.selectedSid == Fixture.sid("CA", 5))
    }

    @Test func textFilterMatchesSubstringsAndRegexAndEscRestores() {
        var state = Fixture.state()
        _ = press(&state, .character("/"))
        #expect(state.mode == .filterInput)
        for c in "FAILED" { _ = press(&state, .character(c)) }
        #expect(state.visible.count == 1)
        _ = press(&state, .enter)
        #expect(state.mode == .main)
        #expect(state.filterText == "FAILED")

        _ = press(&state, .character("/"), .control("u"))
        for c in "re:^CA0+[12]$" { _ = press(&state, .character(c)) }
        #expect(state.filterError == nil)
        #expect(state.visible.map { state.rows[$0].callSid } == [Fixture.sid("CA", 1), Fixture.sid("CA", 2)])
        // A half-typed regex keeps the last good result and says what is wrong.
        _ = press(&state, .character("("))
        #expect(state.filterError != nil)
        #expect(state.visible.count == 2)
        _ = press(&state, .escape)
        #expect(state.filterText == "FAILED")
        #expect(state.visible.count == 1)
    }

    @Test func filterMatchesPhoneNumbers() {
        var state = Fixture.state()
        _ = press(&state, .character("/"))
        for c in "+4420" { _ = press(&state, .character(c)) }
        #expect(state.visible.count == 9)
        _ = press(&state, .control("u"))
        for c in "zoë" { _ = press(&state, .character(c)) }
        #expect(state.visible.count == 1)
    }

    @Test func stateFilterCyclesThroughTheIssueList() {
        var state = Fixture.state()
        var seen: [StateFilter] = []
        for _ in 0..<StateFilter.allCases.count {
            _ = press(&state, .character("f"))
            seen.append(state.stateFilter)
        }
        #expect(seen == [.failed, .notDownloaded, .noOfflineTranscript, .inProgress, .downloaded, .all])
    }

    @Test func marksDriveRetryAndAreClearedAfter() {
        var state = Fixture.state()
        _ = press(&state, .character(" "), .character(" "))
        #expect(state.marks == [Fixture.sid("CA", 1), Fixture.sid("CA", 2)])
        #expect(state.selectedIndex == 2)
        let effects = press(&state, .character("r"))
        #expect(effects == [.retry(callSids: [Fixture.sid("CA", 1), Fixture.sid("CA", 2)])])
        #expect(state.marks.isEmpty)
        // Without marks, the selected call.
        #expect(press(&state, .character("d")) == [.download(callSids: [Fixture.sid("CA", 3)])])
        #expect(press(&state, .character("t")) == [.transcribe(callSids: [Fixture.sid("CA", 3)])])
    }

    @Test func escClearsMarks() {
        var state = Fixture.state()
        _ = press(&state, .character(" "))
        _ = press(&state, .escape)
        #expect(state.marks.isEmpty)
    }

    @Test func readonlyRefusesEveryChangingKeyAndSaysSo() {
        var state = Fixture.state(readonly: true)
        for key in [Key.character("r"), .character("R"), .character("d"), .character("t")] {
            let effects = press(&state, key)
            #expect(effects.isEmpty)
            #expect(state.status?.text.contains("--readonly") == true)
            #expect(state.mode == .main)
        }
        // Looking around still works.
        _ = press(&state, .down)
        #expect(state.selectedIndex == 1)
        #expect(press(&state, .enter) == [.loadDetail(callSid: Fixture.sid("CA", 2))])
        #expect(press(&state, .character("r")).isEmpty)
    }

    @Test func retryAllFailedAsksFirst() {
        var state = Fixture.state()
        #expect(press(&state, .character("R")).isEmpty)
        #expect(state.mode == .confirm(.retryAllFailed(count: 1)))
        #expect(press(&state, .character("n")).isEmpty)
        #expect(state.mode == .main)
        _ = press(&state, .character("R"))
        #expect(press(&state, .character("x")).isEmpty)
        #expect(state.mode == .confirm(.retryAllFailed(count: 1)))
        #expect(press(&state, .character("y")) == [.retryAllFailed])
        #expect(state.mode == .main)
    }

    @Test func retryAllFailedWithNothingFailedSaysSo() {
        var state = Fixture.state(rows: Fixture.rows().filter { $0.downloadState != .failed })
        #expect(press(&state, .character("R")).isEmpty)
        #expect(state.mode == .main)
        #expect(state.status?.text == "no failed downloads to retry")
    }

    @Test func transcribeUnavailableSaysSo() {
        var state = Fixture.state(transcription: false)
        #expect(press(&state, .character("t")).isEmpty)
        #expect(state.status?.text.contains("transcription is not available") == true)
    }

    @Test func detailOpensLoadsScrollsAndActsOnItsCall() {
        var state = Fixture.state(size: TerminalSize(columns: 80, rows: 24))
        _ = press(&state, .down, .down, .down, .down)
        let sid = Fixture.sid("CA", 5)
        #expect(press(&state, .enter) == [.loadDetail(callSid: sid)])
        #expect(state.mode == .detail(callSid: sid))
        _ = update(&state, .detailLoaded(Fixture.detail(for: state.selectedRow!)))
        #expect(state.detail?.row.callSid == sid)
        _ = press(&state, .down, .down)
        #expect(state.detailScroll == 2)
        _ = press(&state, .character("G"))
        let bottom = state.detailScroll
        _ = press(&state, .down)
        #expect(state.detailScroll == bottom)
        #expect(press(&state, .character("r")) == [.retry(callSids: [sid])])
        // A change to this call reloads the detail as well as the list.
        #expect(update(&state, .core(.callChanged(callSid: sid))) == [.loadRows, .loadDetail(callSid: sid)])
        _ = press(&state, .escape)
        #expect(state.mode == .main)
        #expect(state.selectedSid == sid)
    }

    @Test func staleDetailResultsAreIgnored() {
        var state = Fixture.state()
        _ = press(&state, .enter)
        _ = update(&state, .detailLoaded(Fixture.detail(for: Fixture.rows()[4])))
        #expect(state.detail == nil)
    }

    @Test func helpIsGeneratedFromTheKeyTableAndClosesOnAnyKey() {
        var state = Fixture.state()
        _ = press(&state, .character("?"))
        #expect(state.mode == .help(returnTo: .main))
        let text = HelpContent.lines(width: 120).map { $0.map(\.text).joined() }.joined(separator: "\n")
        for binding in KeyBindings.standard.bindings {
            #expect(text.contains(binding.summary))
            #expect(text.contains(binding.keyLabel))
        }
        #expect(press(&state, .character("q")).isEmpty) // closes help, does not quit
        #expect(state.mode == .main)
        #expect(press(&state, .character("q")) == [.quit])
    }

    @Test func everyKeyInTheTableDoesSomething() {
        // The same key must not be bound twice: the table is the single truth.
        var seen: [Key: DashboardAction] = [:]
        for binding in KeyBindings.standard.bindings {
            for key in binding.keys {
                #expect(seen[key] == nil, "\(key.label) bound twice")
                seen[key] = binding.action
            }
        }
        #expect(Set(KeyBindings.standard.bindings.map(\.action)) == Set(DashboardAction.allCases))
    }

    @Test func autoRefreshEveryNSecondsUnlessPaused() {
        var state = DashboardState(context: Fixture.context())
        #expect(update(&state, .tick(now: Fixture.now)) == [.loadFirstPage, .loadRows, .sync], "the first load also asks for a page")
        Fixture.settle(&state)
        #expect(update(&state, .tick(now: Fixture.now.addingTimeInterval(10))).isEmpty)
        // A sync still running is not started twice.
        #expect(update(&state, .tick(now: Fixture.now.addingTimeInterval(30))) == [.loadRows])
        Fixture.settle(&state)
        #expect(update(&state, .syncCompleted(at: Fixture.now.addingTimeInterval(31))) == [.loadRows])
        Fixture.settle(&state)
        #expect(state.lastSync == Fixture.now.addingTimeInterval(31))
        #expect(update(&state, .tick(now: Fixture.now.addingTimeInterval(60))) == [.loadRows, .sync])
        Fixture.settle(&state)
        _ = update(&state, .syncCompleted(at: Fixture.now.addingTimeInterval(60)))
        Fixture.settle(&state)
        _ = press(&state, .character("p"))
        #expect(state.paused)
        #expect(update(&state, .tick(now: Fixture.now.addingTimeInterval(200))).isEmpty)
        _ = press(&state, .character("p"))
        #expect(update(&state, .tick(now: Fixture.now.addingTimeInterval(201))) == [.loadRows, .sync])
    }

    @Test func refreshIntervalHasATwoSecondFloor() {
        var context = Fixture.context()
        context.refreshSeconds = 0
        #expect(DashboardState(context: context).refreshSeconds == 2)
        #expect(DashboardState(context: Fixture.context()).refreshSeconds == 30)
    }

    @Test func burstsOfChangesCoalesceIntoFewLoads() {
        var state = Fixture.state()
        var loads = 0
        for i in 0..<50 {
            loads += update(&state, .core(.callChanged(callSid: Fixture.sid("CA", i % 9 + 1)))).filter { $0 == .loadRows }.count
        }
        #expect(loads == 1)
        // The changes that came during the load bring one more, after a pause.
        #expect(update(&state, .rowsLoaded(Fixture.rows())) == [.loadRowsAfter(seconds: 0.25)])
        #expect(update(&state, .core(.callChanged(callSid: Fixture.sid("CA", 1)))).isEmpty, "one load at a time, the paced one included")
        #expect(update(&state, .rowsLoaded(Fixture.rows())) == [.loadRowsAfter(seconds: 0.25)])
        #expect(update(&state, .rowsLoaded(Fixture.rows())).isEmpty)
    }

    @Test func aSlowListLoadSpacesTheNextOutSoItTakesAQuarterOfACoreAtMost() {
        #expect(RowReloadPacing.gap(afterLoadTaking: 0.01) == 0.25)
        #expect(RowReloadPacing.gap(afterLoadTaking: 0.5) == 1.5)
        var state = Fixture.state()
        _ = update(&state, .core(.callChanged(callSid: Fixture.sid("CA", 1))))
        _ = update(&state, .core(.callChanged(callSid: Fixture.sid("CA", 2))))
        _ = update(&state, .rowsLoadTook(seconds: 0.8))
        let effects = update(&state, .rowsLoaded(Fixture.rows()))
        guard effects.count == 1, case .loadRowsAfter(let gap) = effects[0] else {
            Issue.record("expected one paced load, got \(effects)")
            return
        }
        #expect(abs(gap - 2.4) < 1e-9)
        // A paced load that fails lets the next change load again.
        _ = update(&state, .effectFailed(.loadRowsAfter(seconds: 2.4), message: "busy"))
        #expect(update(&state, .core(.callChanged(callSid: Fixture.sid("CA", 3)))) == [.loadRows])
    }

    @Test func coreEventsUpdateProgressLogAndStatus() {
        var state = Fixture.state()
        _ = update(&state, .core(.log(line: "[OFFLINE_STT] Download status: 200, bytes=123456")))
        #expect(state.log.lines.last == "[OFFLINE_STT] Download status: 200, bytes=123456")
        _ = update(&state, .core(.message("sync failed: 401", isError: true)))
        #expect(state.status?.isError == true)
        #expect(state.progress[Fixture.sid("CA", 1)]?.percent == 42)
        // Once the store says downloaded, the progress is dropped.
        var rows = Fixture.rows()
        rows[0].downloadState = .downloaded
        _ = update(&state, .rowsLoaded(rows))
        #expect(state.progress[Fixture.sid("CA", 1)] == nil)
    }

    @Test func effectsFailuresShowAsErrors() {
        var state = Fixture.state()
        _ = update(&state, .effectFailed(.sync, message: "401 from api.dublin.ie1.twilio.com"))
        #expect(state.status == StatusMessage(text: "sync failed: 401 from api.dublin.ie1.twilio.com", isError: true,
                                              shownAt: state.now))
        #expect(update(&state, .effectFinished(.retryAllFailed)) == [.loadRows])
    }

    @Test func statusMessagesExpire() {
        var state = Fixture.state()
        _ = press(&state, .character("p"))
        #expect(state.status != nil)
        _ = update(&state, .tick(now: Fixture.now.addingTimeInterval(20)))
        #expect(state.status == nil)
    }

    @Test func logRingIsBounded() {
        var ring = LogRing(capacity: 3)
        for i in 1...10 { ring.append("line \(i)") }
        #expect(ring.lines == ["line 8", "line 9", "line 10"])
        #expect(ring.last(2) == ["line 9", "line 10"])
        #expect(ring.totalAppended == 10)
    }

    @Test func ctrlLAsksForARedrawAndQQuits() {
        var state = Fixture.state()
        #expect(press(&state, .control("l")) == [.redraw])
        #expect(press(&state, .character("q")) == [.quit])
        #expect(press(&state, .control("c")) == [.quit])
    }
}
