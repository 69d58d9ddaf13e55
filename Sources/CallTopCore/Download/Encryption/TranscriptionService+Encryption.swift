import Foundation

extension TranscriptionService {
    /// The audio file the speech worker reads: the recording itself, or, when
    /// only its encrypted original was kept (`CALLTOP_KEEP_ENCRYPTED=only`),
    /// a verified decrypted copy (0600) removed once the worker is done.
    /// The worker never sees a key, only audio.
    func audioForWorker(_ relative: String, recordingSid: String, callSid: String,
                        settings: EncryptionSettings = .fromEnvironment()) throws(Failure) -> (URL, () -> Void) {
        let file = store.dataDir.appendingPathComponent(relative)
        guard relative.hasSuffix(".enc") else { return (file, {}) }
        let fail = { (why: String) -> Failure in
            self.markFailed(callSid, why)
            return .notDownloaded(why)
        }
        let stored: EncryptionDetails?
        do { stored = try store.encryptionDetails(of: recordingSid) } catch {
            throw .store("\(callSid): the store could not be read for \(recordingSid)'s encryption details: \(error)")
        }
        guard let details = stored else {
            throw fail("\(relative) is encrypted but the store has no encryption_details for \(recordingSid): run `calltop sync`")
        }
        let plain = file.deletingLastPathComponent().appendingPathComponent(".\(recordingSid).\(UUID().uuidString.prefix(8)).transcribe.wav")
        do {
            _ = try RecordingDecryption.decryptFile(file, to: plain, details: details, keyring: settings.keyring)
        } catch let why as RecordingKeyring.Problem {
            throw fail(why.description)
        } catch let why as AttemptResult {
            var memory = RetryMemory()
            throw fail(RecordingDownloader.errorText(DownloadPolicy(hostName: "").decide(why, memory: &memory, now: clock.now(), jitter: 0)) ?? "\(why)")
        } catch {
            throw fail("cannot decrypt \(relative): \(error)")
        }
        return (plain, { unlink(plain.path) })
    }
}
