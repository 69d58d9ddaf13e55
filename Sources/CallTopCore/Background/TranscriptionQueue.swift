import Foundation

/// Offline transcriptions asked for from the dashboard: each call is marked
/// pending at once, then the calls are transcribed one at a time in the
/// background. Outcomes come back as messages on the event bus, so whoever
/// asked never waits.
public struct TranscriptionQueue: Sendable {
    let store: any CallStore
    let bus: EventBus
    let transcribe: @Sendable (String) async throws -> OfflineTranscript

    /// Downloads a call's recording first when needed, waiting up to a minute for it.
    public init(service: TranscriptionService, store: any CallStore, bus: EventBus) {
        self.init(store: store, bus: bus) { callSid in try await service.transcribe(callSid: callSid, downloadWait: 60) }
    }

    public init(store: any CallStore, bus: EventBus, transcribe: @escaping @Sendable (String) async throws -> OfflineTranscript) {
        self.store = store
        self.bus = bus
        self.transcribe = transcribe
    }

    /// Returns at once; the returned task runs the jobs in order.
    @discardableResult
    public func enqueue(_ callSids: [String]) -> Task<Void, Never> {
        bus.emit(.message("transcribing \(callSids.count) call(s)", isError: false))
        for call in callSids {
            // Only the "pending" mark is lost if this write fails: the job still runs and reports on the bus.
            try? store.setTranscriptionJob(call, state: .pending, now: Date())
            bus.emit(.callChanged(callSid: call))
        }
        let (bus, transcribe) = (self.bus, self.transcribe)
        return Task.detached {
            for call in callSids {
                do {
                    let t = try await transcribe(call)
                    bus.emit(.message("\(call.prefix(12))…: \(t.isEmpty ? "no speech" : "\(t.text.count) chars") offline", isError: false))
                } catch {
                    bus.emit(.message("\(call.prefix(12))…: transcription failed: \(error)", isError: true))
                }
            }
        }
    }
}
