import CallTopCore
import Foundation
import Metrics
import Prometheus
import Synchronization

/// The process's Prometheus backend for swift-metrics. `shared` bootstraps
/// the metrics system once (swift-metrics allows one bootstrap per process);
/// `serve` and `worker` render it at `/metrics`.
public final class MetricsExporter: Sendable {
    public static let shared = MetricsExporter()

    public let registry: PrometheusCollectorRegistry
    /// Job gauges reported at the previous scrape: a state that has emptied is reported as 0, not left stale.
    private let reportedJobs = Mutex<Set<[String]>>([])

    private init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = [
            CallTopMetrics.downloadDuration: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120].map { .milliseconds(Int($0 * 1000)) },
            CallTopMetrics.transcriptionDuration: [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600].map { .milliseconds(Int($0 * 1000)) },
        ]
        factory.valueHistogramBuckets = [
            CallTopMetrics.transcriptionRealtimeFactor: [0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 4],
        ]
        MetricsSystem.bootstrap(factory)
        registry.makeGauge(name: CallTopMetrics.buildInfo, labels: [("version", CallTopVersion.current)],
                           help: "Always 1; the version label says which calltop runs").set(to: 1)
        CallTopMetrics.beat()
    }

    /// The text exposition, after reading the job gauges from `store` (when given).
    public func render(store: (any CallStore)?, now: Date = Date()) -> String {
        // A scrape while the store is busy keeps the last job gauges; /readyz is what reports the store unreachable.
        if let store, let snapshot = try? store.jobSnapshot() { record(snapshot, now: now) }
        return registry.emitToString()
    }

    func record(_ snapshot: JobSnapshot, now: Date) {
        let seen = Set(snapshot.counts.map { [$0.kind, $0.state] })
        let stale = reportedJobs.withLock { previous in
            defer { previous.formUnion(seen) }
            return previous.subtracting(seen)
        }
        for labels in stale {
            registry.makeGauge(name: CallTopMetrics.jobs, labels: [("kind", labels[0]), ("state", labels[1])]).set(to: 0)
        }
        for c in snapshot.counts {
            registry.makeGauge(name: CallTopMetrics.jobs, labels: [("kind", c.kind), ("state", c.state)]).set(to: Double(c.count))
        }
        let age = snapshot.oldestPendingSince.map { max(0, now.timeIntervalSince($0)) } ?? 0
        registry.makeGauge(name: CallTopMetrics.oldestPendingJobAge).set(to: age)
    }
}
