import CallTopCore
import Foundation

/// The hook between a downloaded recording and its offline transcript.
/// Implementations transcribe and store the result (or the failure, with its
/// reason) in the store; the settler notices it there.
public protocol OfflineTranscriber: Sendable {
    func transcribe(callSid: String, recordingSid: String) async
}

/// Transcribes with the core's `TranscriptionService` (the long-lived
/// faster-whisper worker). It records failures itself (engine not installed,
/// worker crash), so the policy's reason says why realtime was used.
public struct ServiceTranscriber: OfflineTranscriber {
    let service: TranscriptionService

    public init(service: TranscriptionService) { self.service = service }

    public func transcribe(callSid: String, recordingSid: String) async {
        // The service downloads nothing here: the pipeline already did. Another replica may have
        // transcribed the call already (both got the callback): then there is nothing to do.
        _ = try? await service.transcribe(callSid: callSid, downloadWait: 0, rule: .unlessFinished)
    }

    public func shutdown() async { await service.worker.shutdown() }
}
