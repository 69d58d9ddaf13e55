import CallTopCore
import CallTopMetrics
import Hummingbird

extension ServeCommand {
    /// serve's `/readyz` and `/metrics`, and request metrics on every route.
    /// The exporter is bootstrapped here, before any work: metrics recorded before it would go nowhere.
    static func observability(_ workspace: Workspace) -> @Sendable (Router<BasicRequestContext>) -> Void {
        _ = MetricsExporter.shared
        let store = workspace.store
        let readiness = ReadinessProbe(store: store, apiBaseURL: workspace.host.baseURL)
        return { router in
            ObservabilityRoutes.addRequestMetrics(to: router)
            ObservabilityRoutes.add(to: router, readiness: readiness, store: store, includeHealthz: false)
        }
    }
}
