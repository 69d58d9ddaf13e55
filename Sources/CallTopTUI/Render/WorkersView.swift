import CallTopCore
import Foundation

/// The workers pane's columns. Name and host share what the fixed ones leave.
enum WorkerColumn: CaseIterable {
    case name, host, heartbeat, state, running, done, failures

    var title: String {
        switch self {
        case .name: return "WORKER"
        case .host: return "HOST"
        case .heartbeat: return "HEARTBEAT"
        case .state: return "STATE"
        case .running: return "RUNNING"
        case .done: return "DONE"
        case .failures: return "FAILED"
        }
    }

    /// nil: shares the width left over.
    var fixedWidth: Int? {
        switch self {
        case .name, .host: return nil
        case .heartbeat: return 9  // "2h05m ago"
        case .state: return 7      // running, stopped, silent
        case .running: return 7
        case .done, .failures: return 6
        }
    }

    var alignsRight: Bool { self == .running || self == .done || self == .failures }
}

struct WorkerColumns {
    struct Placed { let column: WorkerColumn; let x: Int; let width: Int }
    let placed: [Placed]

    /// Narrower than this each, name and host would both be cut to nothing useful: the host goes.
    static let sharedMinimum = 12
    /// Longer names are rare; the host takes the rest.
    static let nameMaximum = 24

    init(width: Int) {
        var active = WorkerColumn.allCases
        // One blank before each column.
        var shared = width - active.compactMap(\.fixedWidth).reduce(0, +) - active.count
        if shared < 2 * Self.sharedMinimum {
            active.removeAll { $0 == .host }
            shared += 1
        }
        let nameWidth = active.contains(.host) ? min(Self.nameMaximum, shared / 2) : max(4, shared)
        var x = 1
        var placed: [Placed] = []
        for column in active {
            let w = column.fixedWidth ?? (column == .name ? nameWidth : shared - nameWidth)
            placed.append(Placed(column: column, x: x, width: w))
            x += w + 1
        }
        self.placed = placed
    }
}

/// `w`: every worker that registered with the store, with its last
/// heartbeat as an age, whether it still runs, and its job counts.
enum WorkersView {
    static func draw(_ state: DashboardState, into buffer: inout ScreenBuffer, layout: ScreenLayout, now: Date) {
        let columns = WorkerColumns(width: buffer.size.columns)
        buffer.clear(row: layout.titleRow, role: .columnHeader)
        for p in columns.placed {
            let title = p.column.alignsRight ? TextFit.padLeft(p.column.title, to: p.width) : p.column.title
            buffer.put(title, row: layout.titleRow, column: p.x, role: .columnHeader, limit: p.width)
        }

        guard !state.workers.isEmpty else {
            let message = state.workersLoaded
                ? "no worker has registered with this store: start one with `calltop worker`"
                : "loading workers…"
            buffer.put(message, row: layout.bodyTop + 1, column: 2, role: .dim)
            return
        }

        let count = state.workers.count
        let top = min(max(0, state.workersScroll), max(0, count - layout.bodyRows))
        for line in 0..<min(layout.bodyRows, count - top) {
            drawRow(state.workers[top + line], y: layout.bodyTop + line, columns: columns, now: now, into: &buffer)
        }
        if count > layout.bodyRows, let last = columns.placed.last {
            let more = "\(top + 1)-\(min(count, top + layout.bodyRows)) of \(count)"
            let x = buffer.size.columns - DisplayWidth.of(more) - 1
            if x > last.x + last.width { buffer.put(more, row: layout.titleRow, column: x, role: .columnHeader) }
        }
    }

    /// Names and hosts come from the store: `ScreenBuffer.put` makes any control in them visible, never live.
    private static func drawRow(_ worker: WorkerRecord, y: Int, columns: WorkerColumns, now: Date, into buffer: inout ScreenBuffer) {
        let condition = WorkerCondition(worker, now: now)
        let base: StyleRole = condition == .stopped ? .dim : .normal
        for p in columns.placed {
            let (text, role) = cell(p.column, worker, condition: condition, base: base, now: now)
            let fitted = p.column.alignsRight ? TextFit.padLeft(text, to: p.width) : TextFit.truncate(text, to: p.width)
            buffer.put(fitted, row: y, column: p.x, role: role, limit: p.width)
        }
    }

    private static func cell(
        _ column: WorkerColumn, _ worker: WorkerRecord, condition: WorkerCondition, base: StyleRole, now: Date
    ) -> (String, StyleRole) {
        switch column {
        case .name: return (worker.name, base)
        case .host: return (worker.host, base)
        case .heartbeat:
            return (Formatting.age(now.timeIntervalSince(worker.heartbeatAt)) + " ago", condition == .silent ? .warning : base)
        case .state: return (condition.rawValue, condition == .silent ? .warning : base)
        case .running: return ("\(worker.jobsRunning)", base)
        case .done: return ("\(worker.jobsDone)", base)
        case .failures: return ("\(worker.failures)", base)
        }
    }
}
