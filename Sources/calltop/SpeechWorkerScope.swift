import CallTopCore

/// Runs `body`, then shuts the speech worker down on every path, awaited: a
/// task started in a `defer` has no owner and may never run before the process exits.
func withSpeechWorker<T>(_ worker: SpeechWorker?, _ body: () async throws -> T) async throws -> T {
    do {
        let result = try await body()
        await worker?.shutdown()
        return result
    } catch {
        await worker?.shutdown()
        throw error
    }
}
