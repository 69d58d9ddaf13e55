import Foundation

extension TranscriptionService {
    /// In team mode each machine keeps its own recordings: a job claimed on a
    /// machine without the file fetches it again (checked against the stored
    /// SHA-256) before transcribing. A copy that could not be fetched (Twilio or
    /// the network, for now) gives the job back to the queue; one whose bytes
    /// differ from what was recorded fails it, with the reason.
    func ensureLocalFile(_ recording: StoredRecording, claim: TranscriptionClaim) async throws(Failure) {
        guard let path = recording.path,
              !FileManager.default.fileExists(atPath: store.dataDir.appendingPathComponent(path).path) else { return }
        let why: String
        if let copies {
            switch await copies.fetchLocalCopy(of: recording) {
            case .saved: return
            case .differs(let problem):
                why = "the recording is not on this machine and its copy differs from what was downloaded: \(problem)"
            case .unavailable(let problem):
                logger.warning("[OFFLINE_STT] \(claim.callSid): the recording is not on this machine and could not be copied yet (\(problem)); queued again")
                logger.noting("give \(claim.callSid)'s transcription back", otherwise: "its lease expires and it is queued all the same") {
                    try store.handBackTranscription(claim, now: clock.now())  // fenced
                }
                throw .notDownloaded("could not copy \(path) to this machine: \(problem)")
            }
        } else {
            why = "the recording is not on this machine (\(path)) and no Twilio client is set up to copy it"
        }
        logger.warning("[OFFLINE_STT] \(claim.callSid): \(why)")
        logger.noting("record \(claim.callSid)'s failed transcription", otherwise: "its lease expires and it is tried again") {
            try store.failTranscription(claim, error: why, now: clock.now())  // fenced: a lost claim leaves the newer holder alone
        }
        throw .notDownloaded(why)
    }
}
