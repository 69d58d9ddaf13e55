import CallTopCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `/healthz`, `/readyz` and `/metrics`, for any long-running calltop
/// process: `serve` adds them to its router, a worker serves them alone on
/// its `--metrics-port`.
public enum ObservabilityRoutes {
    /// Counts every request by route template and status
    /// (`calltop_webhook_requests_total`). Add it before the routes.
    public static func addRequestMetrics(to router: Router<BasicRequestContext>) {
        router.add(middleware: RequestMetricsMiddleware())
    }

    /// Adds `/readyz` and `/metrics` (and `/healthz` when the router has none yet).
    public static func add(to router: Router<BasicRequestContext>, readiness: ReadinessProbe, store: (any CallStore)?,
                           includeHealthz: Bool, exporter: MetricsExporter = .shared) {
        if includeHealthz {
            router.get("/healthz") { _, _ in text(.ok, "ok\n") }
        }
        router.get("/readyz") { _, _ in
            let result = await readiness.check()
            return text(result.ready ? .ok : .serviceUnavailable, (result.ready ? "ready\n" : "not ready\n") + result.lines.joined(separator: "\n") + "\n")
        }
        router.get("/metrics") { _, _ in
            text(.ok, exporter.render(store: store), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
    }

    /// A router with only the observability routes (a worker's metrics port).
    public static func standaloneRouter(readiness: ReadinessProbe, store: (any CallStore)?) -> Router<BasicRequestContext> {
        let router = Router()
        add(to: router, readiness: readiness, store: store, includeHealthz: true)
        return router
    }

    static func text(_ status: HTTPResponse.Status, _ body: String, contentType: String = "text/plain; charset=utf-8") -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

/// Route templates only (`/v1/calls/{callSid}/…`), never the path itself:
/// a path holds SIDs, and a label per SID grows without bound.
struct RequestMetricsMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            let response = try await next(request, context)
            CallTopMetrics.webhookRequest(endpoint: Self.endpoint(context.endpointPath), status: response.status.code)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            CallTopMetrics.webhookRequest(endpoint: Self.endpoint(context.endpointPath), status: status)
            throw error
        }
    }

    static func endpoint(_ path: String?) -> String {
        guard let path, !path.isEmpty else { return "unmatched" }
        return path.replacingOccurrences(of: ":", with: "")
    }
}
