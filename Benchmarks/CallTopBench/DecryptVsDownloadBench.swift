import CallTopCore
import CallTopSimulator
import Crypto
import _CryptoExtras
import Foundation

/// Figure for #15: what decrypting an encrypted recording costs next to
/// downloading it. Three 50 MB runs side by side, interleaved:
/// - a plain recording through `RecordingDownloader.attempt` (the `download_ours_50MB` path);
/// - an encrypted one through the same call: `.wav` fetched, AES-256-GCM decrypted as it
///   streams (AES-CTR from swift-crypto + our GHASH), tag checked, then fsync + rename;
/// - decryption alone: the same body decrypted from a file on disk (`RecordingDecryption`).
enum DecryptVsDownloadBench {
    static let bigBytes = 50 << 20

    static func run(rounds: Int) async throws {
        let tmp = try TemporaryDirectory("decrypt")
        defer { tmp.remove() }
        let account = SyntheticTwilio.accountSid
        let (calls, synthetic) = try SyntheticTwilio.callsAndRecordings(count: 3, now: Date())
        var recordings = synthetic
        let plainRec = recordings[0], encRec = recordings[1], warmRec = recordings[2]

        // The account's key, as the customer holds it (0600 in a private folder).
        let simulator = TwilioSimulator(config: SimulatorConfig(callCount: 1))
        let keysDir = try tmp.subdirectory("keys")
        try simulator.writeRecordingKeys(to: keysDir, includeFallback: false)
        let key = simulator.recordingKeys()[0]
        let cek = SymmetricKey(size: .bits256)
        let iv = AES.GCM.Nonce()
        let publicKey = try _RSA.Encryption.PrivateKey(pemRepresentation: key.privateKeyPEM).publicKey
        let wrapped = try cek.withUnsafeBytes { try publicKey.encrypt(Data($0), padding: .PKCS1_OAEP_SHA256) }
        let details = EncryptionDetails(publicKeySid: key.publicKeySid, encryptedCek: wrapped.base64EncodedString(),
                                        iv: Data(iv).base64EncodedString())

        let plainFile = tmp.path("served-50MB.mp3"), encFile = tmp.path("served-50MB.wav.enc"), warmFile = tmp.path("warm.wav.enc")
        try LoopbackMediaServer.writeFakeMP3(path: plainFile, bytes: bigBytes)
        func writeEncryptedWav(_ path: String, bytes: Int) throws {
            var wav = Data("RIFF".utf8) + Data([0, 0, 0, 0]) + Data("WAVE".utf8)
            wav += try Data(contentsOf: URL(fileURLWithPath: plainFile)).prefix(bytes - wav.count)
            let box = try AES.GCM.seal(wav, using: cek, nonce: iv)
            try (box.ciphertext + box.tag).write(to: URL(fileURLWithPath: path))
        }
        try writeEncryptedWav(encFile, bytes: bigBytes)
        try writeEncryptedWav(warmFile, bytes: 1 << 20)
        recordings[1].encryptionDetails = details
        recordings[2].encryptionDetails = details

        let server = try LoopbackMediaServer(accountSid: account, recordings: [
            .init(sid: plainRec.sid, callSid: plainRec.callSid!, file: plainFile),
            .init(sid: encRec.sid, callSid: encRec.callSid!, file: encFile),
            .init(sid: warmRec.sid, callSid: warmRec.callSid!, file: warmFile),
        ], scriptDirectory: tmp)
        defer { server.stop() }

        let workspace = try Workspace(dataDir: try tmp.subdirectory("data"), host: try TwilioHost(apiBaseURL: server.baseURL),
                                      credentials: try Credentials(accountSid: account, authToken: "bench-token-0123456789abcdef"))
        try workspace.store.upsertCalls(calls, now: Date())
        try workspace.store.upsertRecordings(recordings, now: Date())
        let keyring = RecordingKeyring(directory: keysDir)
        let downloader = RecordingDownloader(client: try workspace.client(), store: workspace.store, logger: workspace.logger,
                                             bus: workspace.bus, encryption: EncryptionSettings(keyring: keyring))

        func attempt(_ r: TwilioRecording) async throws -> Double {
            if let old = try workspace.store.recording(r.sid)?.path { unlink(workspace.dataDir.appendingPathComponent(old).path) }
            // Downloaded by the previous round: make it due again, keeping its file name.
            try workspace.store.markFileProblem(r.sid, reason: "bench", now: Date())
            try workspace.store.resetForRetry([r.sid], now: Date())
            var decision: DownloadDecision?
            let seconds = await secondsTakenAsync { decision = await downloader.attempt(r.sid) }
            guard decision == .downloaded else { throw BenchFailure("download of \(r.sid) ended \(String(describing: decision))") }
            return seconds
        }
        let decryptedOut = URL(fileURLWithPath: tmp.path("decrypted.wav"))
        func decryptOnly() throws -> Double {
            unlink(decryptedOut.path)
            return try secondsTaken {
                _ = try RecordingDecryption.decryptFile(URL(fileURLWithPath: encFile), to: decryptedOut, details: details, keyring: keyring)
            }
        }

        _ = try await attempt(warmRec)
        let rssBefore = ProcessMemory.currentMB
        let canReset = ProcessMemory.resetPeak()
        _ = try await attempt(encRec)
        let rssGrowth = ProcessMemory.peakMB - rssBefore
        _ = try await attempt(plainRec)
        _ = try decryptOnly()

        var plainTimes: [Double] = [], encTimes: [Double] = [], decTimes: [Double] = [], ratios: [Double] = []
        for round in 0..<rounds {
            var p = 0.0, e = 0.0, d = 0.0
            if round % 2 == 0 {
                p = try await attempt(plainRec); e = try await attempt(encRec); d = try decryptOnly()
            } else {
                d = try decryptOnly(); e = try await attempt(encRec); p = try await attempt(plainRec)
            }
            plainTimes.append(p); encTimes.append(e); decTimes.append(d); ratios.append(e / p)
        }
        let mb = Double(bigBytes) / Double(1 << 20)
        BenchLine.emit("decrypt_vs_download_50MB", ratios.median, "ratio", goal: "<= 3.00")
        BenchLine.emit("download_encrypted_50MB", mb / encTimes.median, "MB/s", goal: nil, digits: 0)
        BenchLine.emit("download_plain_50MB", mb / plainTimes.median, "MB/s", goal: nil, digits: 0)
        BenchLine.emit("decrypt_only_50MB", mb / decTimes.median, "MB/s", goal: nil, digits: 0)
        if canReset {
            BenchLine.emit("decrypt_peak_rss_growth_50MB", rssGrowth, "MB", goal: "<= 10", digits: 1)
        }
        BenchLine.note("decrypt_vs_download = time of an encrypted 50 MB download (fetch .wav, decrypt while streaming, verify tag, fsync, rename) / a plain one, per round, median of \(rounds)")
        BenchLine.note("decrypt_only = RecordingDecryption.decryptFile on the same body from disk: read, AES-CTR + GHASH, write, fsync, rename")
    }
}
