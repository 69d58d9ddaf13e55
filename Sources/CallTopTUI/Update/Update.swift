import CallTopCore
import Foundation

/// The dashboard's only state transition: applies one event and returns the
/// work to do. Pure; the runtime performs the effects.
public func update(_ state: inout DashboardState, _ event: DashboardEvent) -> [DashboardEffect] {
    switch event {
    case .key(let key):
        return handleKey(&state, key)
    case .resize(let size):
        state.size = size
        state.clampScroll()
        clampTextScroll(&state)
        return []
    case .core(let coreEvent):
        return handleCoreEvent(&state, coreEvent)
    case .firstPageLoaded(let page):
        // The full list may have won the race: then the page is old news.
        if !state.rowsLoadedOnce { state.setFirstPage(page) }
        return []
    case .rowsLoaded(let rows):
        state.rowsLoadInFlight = false
        state.setRows(rows)
        if state.rowsStale {
            state.rowsStale = false
            state.rowsLoadInFlight = true
            return [.loadRowsAfter(seconds: RowReloadPacing.gap(afterLoadTaking: state.lastRowsLoadSeconds))]
        }
        return []
    case .rowsLoadTook(let seconds):
        state.lastRowsLoadSeconds = seconds
        return []
    case .workersLoaded(let workers):
        state.workers = workers
        state.workersLoaded = true
        clampTextScroll(&state)
        return []
    case .detailLoaded(let detail):
        guard case .detail(let sid) = state.mode else { return [] }
        if let detail {
            if detail.row.callSid == sid { state.detail = detail }
        } else {
            state.setStatus("\(sid) is no longer in the store", isError: true)
        }
        clampTextScroll(&state)
        return []
    case .tick(let now):
        return handleTick(&state, now)
    case .syncCompleted(let at):
        state.syncInFlight = false
        state.syncing = false
        state.lastSync = at
        return requestRows(&state)
    case .effectFinished(let effect):
        switch effect {
        case .download, .retry, .retryAllFailed, .transcribe:
            return requestRows(&state) + reloadDetailIfOpen(state)
        default:
            return []
        }
    case .effectFailed(let effect, let message):
        switch effect {
        case .loadRows, .loadRowsAfter:
            state.rowsLoadInFlight = false
            state.setStatus("could not load calls: \(message)", isError: true)
        case .sync:
            state.syncInFlight = false
            state.syncing = false
            state.setStatus("sync failed: \(message)", isError: true)
        case .loadDetail:
            state.setStatus("could not load the call: \(message)", isError: true)
        case .transcribe:
            state.setStatus("transcription failed: \(message)", isError: true)
        default:
            state.setStatus(message, isError: true)
        }
        return []
    }
}

// MARK: - Refresh

private func requestRows(_ state: inout DashboardState) -> [DashboardEffect] {
    // Bursts of callChanged events collapse into at most one load in flight plus one after it.
    if state.rowsLoadInFlight {
        state.rowsStale = true
        return []
    }
    state.rowsLoadInFlight = true
    return state.rowsLoadedOnce ? [.loadRows] : [.loadFirstPage, .loadRows]
}

private func reloadDetailIfOpen(_ state: DashboardState) -> [DashboardEffect] {
    if case .detail(let sid) = state.mode { return [.loadDetail(callSid: sid)] }
    if case .help(.detail(let sid)) = state.mode { return [.loadDetail(callSid: sid)] }
    if case .workers(.detail(let sid)) = state.mode { return [.loadDetail(callSid: sid)] }
    return []
}

private func handleTick(_ state: inout DashboardState, _ now: Date) -> [DashboardEffect] {
    state.now = now
    if let status = state.status {
        if let shownAt = status.shownAt {
            if now.timeIntervalSince(shownAt) >= (status.isError ? 30 : 8) { state.status = nil }
        } else {
            state.status?.shownAt = now
        }
    }
    if state.paused && state.lastRefreshAt != nil { return [] }
    if let last = state.lastRefreshAt, now.timeIntervalSince(last) < Double(state.refreshSeconds) { return [] }
    state.lastRefreshAt = now
    var effects = requestRows(&state)
    if !state.syncInFlight {
        state.syncInFlight = true
        effects.append(.sync)
    }
    return effects + reloadDetailIfOpen(state)
}

private func handleCoreEvent(_ state: inout DashboardState, _ event: CoreEvent) -> [DashboardEffect] {
    switch event {
    case .syncStarted:
        state.syncing = true
        return []
    case .syncFinished(let at, _):
        state.syncing = false
        state.lastSync = at
        return requestRows(&state)
    case .syncFailed(let message):
        state.syncing = false
        state.setStatus("sync failed: \(message)", isError: true)
        return []
    case .downloadProgress(let callSid, _, let bytes, let total):
        state.progress[callSid] = DownloadProgress(bytes: bytes, total: total)
        return []
    case .callChanged(let callSid):
        var effects = requestRows(&state)
        // An empty SID means "something changed, we don't know which call" (another process wrote).
        if case .detail(let open) = state.mode, callSid.isEmpty || open == callSid { effects.append(.loadDetail(callSid: open)) }
        return effects
    case .transcriptionProgress(let callSid, let fraction):
        state.transcribing[callSid] = fraction
        return []
    case .log(let line):
        state.log.append(line)
        return []
    case .message(let text, let isError):
        state.setStatus(text, isError: isError)
        return []
    }
}

// MARK: - Keys

private func handleKey(_ state: inout DashboardState, _ key: Key) -> [DashboardEffect] {
    switch state.mode {
    case .filterInput:
        return handleFilterInput(&state, key)
    case .confirm(let action):
        return handleConfirm(&state, key, action)
    case .help(let returnTo):
        return handleHelp(&state, key, returnTo)
    case .workers(let returnTo):
        return handleWorkersPane(&state, key, returnTo)
    case .main, .detail:
        break
    }
    guard let action = KeyBindings.standard.action(for: key) else { return [] }
    if state.readonly, let binding = KeyBindings.standard.binding(for: action), binding.changesData {
        state.setStatus("read-only: \(binding.keyLabel) (\(binding.footer ?? binding.summary)) is disabled by --readonly")
        return []
    }
    if case .detail(let sid) = state.mode {
        return handleDetailAction(&state, action, sid)
    }
    return handleListAction(&state, action)
}

private func handleListAction(_ state: inout DashboardState, _ action: DashboardAction) -> [DashboardEffect] {
    let page = max(1, state.layout.bodyRows - 1)
    switch action {
    case .moveDown: state.select(index: state.selectedIndex + 1)
    case .moveUp: state.select(index: state.selectedIndex - 1)
    case .pageDown:
        state.scrollTop += page
        state.select(index: state.selectedIndex + page)
    case .pageUp:
        state.scrollTop -= page
        state.select(index: state.selectedIndex - page)
    case .top: state.select(index: 0)
    case .bottom: state.select(index: state.visible.count - 1)
    case .openDetail:
        guard let sid = state.selectedSid else { return [] }
        state.mode = .detail(callSid: sid)
        if state.detail?.row.callSid != sid { state.detail = nil }
        state.detailScroll = 0
        return [.loadDetail(callSid: sid)]
    case .back:
        if !state.filterText.isEmpty || state.stateFilter != .all {
            state.filterText = ""
            state.stateFilter = .all
            state.recomputeVisible()
            state.setStatus("filters cleared: showing all \(state.rows.count) calls")
        } else if !state.marks.isEmpty {
            state.marks = []
            state.setStatus("marks cleared")
        }
    case .filter:
        state.filterBeforeEditing = state.filterText
        state.filterDraft = state.filterText
        state.filterError = nil
        state.mode = .filterInput
        state.prepareSearch()
    case .cycleStateFilter:
        state.stateFilter = state.stateFilter.next
        state.recomputeVisible()
        state.setStatus("showing \(state.stateFilter.rawValue): \(state.visible.count) of \(state.rows.count) calls")
    case .cycleSort:
        state.sort = state.sort.next
        state.recomputeVisible()
        state.setStatus("sorted \(state.sort.rawValue)")
    case .toggleMark:
        guard let sid = state.selectedSid else { return [] }
        if state.marks.contains(sid) { state.marks.remove(sid) } else { state.marks.insert(sid) }
        state.select(index: state.selectedIndex + 1)
    case .retry:
        return requestOnTargets(&state, verb: "retry") { .retry(callSids: $0) }
    case .downloadNow:
        return requestOnTargets(&state, verb: "download") { .download(callSids: $0) }
    case .transcribe:
        guard transcriptionAvailable(&state) else { return [] }
        return requestOnTargets(&state, verb: "transcribe") { .transcribe(callSids: $0) }
    case .copySid, .openConsole:
        return handleCallLink(&state, action, state.selectedSid)
    case .retryAllFailed:
        let failed = state.counts[.failed] ?? 0
        if failed == 0 {
            state.setStatus("no failed downloads to retry")
        } else {
            state.mode = .confirm(.retryAllFailed(count: failed))
        }
    default:
        return handleCommonAction(&state, action, returnTo: .main)
    }
    return []
}

/// `y` and `o`, on the selected call in the list or the call of the detail view.
private func handleCallLink(_ state: inout DashboardState, _ action: DashboardAction, _ sid: String?) -> [DashboardEffect] {
    guard let sid else {
        state.setStatus("no call selected")
        return []
    }
    if action == .copySid {
        state.setStatus("copied \(sid) (OSC 52: your terminal must allow clipboard access)")
        return [.copyToClipboard(sid)]
    }
    let url = TwilioConsoleURL.call(sid, region: state.context.region)
    state.setStatus(state.context.isDemo ? "demo call, not in the Twilio Console: \(url)" : "copied: \(url)")
    return state.context.isDemo ? [] : [.copyToClipboard(url), .openURL(url)]
}

private func handleDetailAction(_ state: inout DashboardState, _ action: DashboardAction, _ sid: String) -> [DashboardEffect] {
    if let offset = scrolled(state.detailScroll, by: action, page: scrollPage(state)) {
        state.detailScroll = offset
        clampTextScroll(&state)
        return []
    }
    switch action {
    case .back, .openDetail:
        state.mode = .main
        return []
    case .retry:
        state.setStatus("retry requested for \(sid)")
        return [.retry(callSids: [sid])]
    case .downloadNow:
        state.setStatus("download requested for \(sid)")
        return [.download(callSids: [sid])]
    case .transcribe:
        guard transcriptionAvailable(&state) else { return [] }
        state.setStatus("transcription requested for \(sid)")
        return [.transcribe(callSids: [sid])]
    case .copySid, .openConsole:
        return handleCallLink(&state, action, sid)
    case .filter, .cycleStateFilter, .cycleSort, .toggleMark, .retryAllFailed:
        state.setStatus("\(KeyBindings.standard.binding(for: action)?.keyLabel ?? "") works in the list: Esc goes back")
        return []
    default:
        return handleCommonAction(&state, action, returnTo: .detail(callSid: sid))
    }
    clampTextScroll(&state)
    return []
}

private func handleCommonAction(_ state: inout DashboardState, _ action: DashboardAction, returnTo: Screen) -> [DashboardEffect] {
    switch action {
    case .toggleLog:
        state.showLog.toggle()
        state.clampScroll()
        clampTextScroll(&state)
    case .togglePause:
        state.paused.toggle()
        state.setStatus(state.paused ? "auto refresh paused (p resumes)" : "auto refresh every \(state.refreshSeconds)s")
    case .redraw:
        return [.redraw]
    case .help:
        state.helpScroll = 0
        state.mode = .help(returnTo: returnTo)
    case .showWorkers:
        state.workersScroll = 0
        state.mode = .workers(returnTo: returnTo)
    case .quit:
        return [.quit]
    default:
        break
    }
    return []
}

/// Marked calls if any (all of them, even those a filter hides), else the selected call.
private func requestOnTargets(
    _ state: inout DashboardState, verb: String, _ make: ([String]) -> DashboardEffect
) -> [DashboardEffect] {
    let targets: [String]
    if !state.marks.isEmpty {
        targets = state.marks.sorted()
        state.marks = []
    } else if let sid = state.selectedSid {
        targets = [sid]
    } else {
        state.setStatus("no call selected")
        return []
    }
    state.setStatus(targets.count == 1 ? "\(verb) requested for \(targets[0])" : "\(verb) requested for \(targets.count) calls")
    return [make(targets)]
}

private func transcriptionAvailable(_ state: inout DashboardState) -> Bool {
    if state.context.transcriptionAvailable { return true }
    state.setStatus(
        "transcription is not available: \(state.context.transcriptionUnavailableReason ?? "the offline speech-to-text engine is not set up")",
        isError: true)
    return false
}

private func handleFilterInput(_ state: inout DashboardState, _ key: Key) -> [DashboardEffect] {
    switch key {
    case .enter:
        state.mode = .main
        if state.filterError != nil {
            // The last valid filter stays applied; keep what was typed out of it.
            state.filterError = nil
        }
        state.setStatus(state.filterText.isEmpty
            ? "filter cleared"
            : "filter \(state.filterText): \(state.visible.count) of \(state.rows.count) calls")
        return []
    case .escape:
        state.mode = .main
        state.filterError = nil
        state.filterText = state.filterBeforeEditing
        state.recomputeTextFilter()
        return []
    case .backspace:
        if !state.filterDraft.isEmpty { state.filterDraft.removeLast() }
    case .control("u"):
        state.filterDraft = ""
    case .character(let c):
        state.filterDraft.append(c)
    case .down:
        state.select(index: state.selectedIndex + 1)
        return []
    case .up:
        state.select(index: state.selectedIndex - 1)
        return []
    case .control("c"):
        return [.quit]
    default:
        return []
    }
    // Filter live while typing; a half-typed regex keeps the previous result.
    do {
        _ = try TextFilter(state.filterDraft)
        state.filterError = nil
        state.filterText = state.filterDraft
        state.recomputeTextFilter()
    } catch let error as TextFilterError {
        state.filterError = error.message
    } catch {
        state.filterError = "\(error)"
    }
    return []
}

private func handleConfirm(_ state: inout DashboardState, _ key: Key, _ action: ConfirmAction) -> [DashboardEffect] {
    switch key {
    case .character("y"), .character("Y"), .enter:
        state.mode = .main
        switch action {
        case .retryAllFailed(let count):
            state.setStatus("retrying \(count) failed download\(count == 1 ? "" : "s")")
            return [.retryAllFailed]
        }
    case .character("n"), .character("N"), .escape, .character("q"):
        state.mode = .main
        state.setStatus("cancelled")
    case .control("c"):
        return [.quit]
    default:
        break
    }
    return []
}

private func handleHelp(_ state: inout DashboardState, _ key: Key, _ returnTo: Screen) -> [DashboardEffect] {
    let action = KeyBindings.standard.action(for: key)
    if let offset = scrolled(state.helpScroll, by: action, page: scrollPage(state)) {
        state.helpScroll = offset
        clampTextScroll(&state)
        return []
    }
    switch action {
    case .redraw: return [.redraw]
    default:
        if key == .control("c") { return [.quit] }
        // Any other key (Esc, ?, q) closes help rather than acting behind it.
        state.mode = returnTo.mode
        return []
    }
    clampTextScroll(&state)
    return []
}

/// The workers pane: the scroll keys scroll it; Esc, q and w go back to
/// where it was opened; the view keys (log, pause, redraw) work as anywhere.
/// Any other key says how to leave rather than acting on a call out of sight.
private func handleWorkersPane(_ state: inout DashboardState, _ key: Key, _ returnTo: Screen) -> [DashboardEffect] {
    if key == .control("c") { return [.quit] }
    let action = KeyBindings.standard.action(for: key)
    if let offset = scrolled(state.workersScroll, by: action, page: scrollPage(state)) {
        state.workersScroll = offset
        clampTextScroll(&state)
        return []
    }
    switch action {
    case .back, .quit, .showWorkers:
        state.mode = returnTo.mode
        return []
    case let viewAction? where viewAction == .toggleLog || viewAction == .togglePause || viewAction == .redraw:
        return handleCommonAction(&state, viewAction, returnTo: returnTo)
    default:
        state.setStatus("w, Esc or q closes the workers list")
        return []
    }
}

/// Keeps detail, help and workers scrolling inside their text.
private func clampTextScroll(_ state: inout DashboardState) {
    let height = state.layout.bodyRows
    let width = state.size.columns
    if case .detail = state.mode {
        let count = DetailContent.lines(state: state, width: width, timeZone: TimeZone(secondsFromGMT: 0)!).count
        state.detailScroll = min(max(0, state.detailScroll), max(0, count - height))
    }
    if case .help = state.mode {
        let count = HelpContent.lines(width: width).count
        state.helpScroll = min(max(0, state.helpScroll), max(0, count - height))
    }
    if case .workers = state.mode {
        state.workersScroll = min(max(0, state.workersScroll), max(0, state.workers.count - height))
    }
}

/// How far a page key moves a scrolled pane: its height less one line of overlap.
private func scrollPage(_ state: DashboardState) -> Int { max(1, state.layout.bodyRows - 1) }

/// The scroll keys, shared by every scrolled pane (detail, help): the new
/// offset, or nil when `action` is not a scroll key. Render clamps the offset.
private func scrolled(_ offset: Int, by action: DashboardAction?, page: Int) -> Int? {
    switch action {
    case .moveDown: offset + 1
    case .moveUp: offset - 1
    case .pageDown: offset + page
    case .pageUp: offset - page
    case .top: 0
    case .bottom: Int.max / 2
    default: nil
    }
}
