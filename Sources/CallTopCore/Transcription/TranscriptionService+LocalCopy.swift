import Foundation

extension TranscriptionService {
    /// In team mode each machine keeps its own recordings: a job claimed on a
    /// machine without the file fetches it again (checked against the stored
    /// SHA-256) before transcribing. A failure fails the job, fenced like a result.
    func ensureLocalFile(_ recording: StoredRecording, claim: TranscriptionClaim) async throws(Failure) {
        guard let path = recording.path,
              !FileManager.default.fileExists(atPath: store.dataDir.appendingPathComponent(path).path) else { return }
        let why: String
        if let copies {
            switch await copies.fetchLocalCopy(of: recording) {
            case .success: return
            case .failure(let problem): why = "the recording is not on this machine and could not be copied: \(problem)"
            }
        } else {
            why = "the recording is not on this machine (\(path)) and no Twilio client is set up to copy it"
        }
        logger.warning("[OFFLINE_STT] \(claim.callSid): \(why)")
        _ = try? store.failTranscription(claim, error: why, now: Date())  // fenced: a lost claim leaves the newer holder alone
        throw .notDownloaded(why)
    }
}
