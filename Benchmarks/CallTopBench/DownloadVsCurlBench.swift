import CallTopCore
import Foundation

/// Figure 1: our download path vs `curl` on the same 50 MB file on 127.0.0.1.
///
/// Ours is `RecordingDownloader.attempt` — exactly what `calltop download`
/// runs per recording: metadata request, media GET through `TwilioClient.getMedia`
/// (CurlSession) into `MediaFileWriter` (audio check, write, SHA-256, fsync,
/// rename, folder fsync) and the attempt stored in SQLite.
/// The reference is `curl -s -f -u … -o FILE URL` followed by fsync of the
/// file and its folder (what `sync FILE` adds), so both end with durable bytes.
enum DownloadVsCurlBench {
    static let bigBytes = 50 << 20
    static let token = "bench-auth-token-0123456789abcdef"

    static func run(rounds: Int) async throws {
        guard let curl = ChildProcess.which("curl") else {
            BenchLine.note("download_vs_curl_50MB skipped: curl is not installed")
            return
        }
        let tmp = try TemporaryDirectory("download")
        defer { tmp.remove() }
        let account = SyntheticTwilio.accountSid
        let (calls, recordings) = try SyntheticTwilio.callsAndRecordings(count: 2, now: Date())
        let big = recordings[0], warm = recordings[1]
        let bigFile = tmp.path("served-50MB.mp3"), warmFile = tmp.path("served-1MB.mp3")
        try LoopbackMediaServer.writeFakeMP3(path: bigFile, bytes: bigBytes)
        try LoopbackMediaServer.writeFakeMP3(path: warmFile, bytes: 1 << 20)

        let server = try LoopbackMediaServer(accountSid: account, recordings: [
            .init(sid: big.sid, callSid: big.callSid!, file: bigFile),
            .init(sid: warm.sid, callSid: warm.callSid!, file: warmFile),
        ], scriptDirectory: tmp)
        defer { server.stop() }

        let workspace = try Workspace(dataDir: try tmp.subdirectory("data"), host: try TwilioHost(apiBaseURL: server.baseURL),
                                      credentials: try Credentials(accountSid: account, authToken: token))
        try workspace.store.upsertCalls(calls, now: Date())
        try workspace.store.upsertRecordings(recordings, now: Date())
        let downloader = RecordingDownloader(client: try workspace.client(), store: workspace.store,
                                             logger: workspace.logger, bus: workspace.bus)

        func ours(_ recording: TwilioRecording, bytes: Int) async throws -> Double {
            let final = workspace.dataDir.appendingPathComponent(RecordingDownloader.relativePath(
                recordingSid: recording.sid, callSid: recording.callSid, isPrimary: true)).path
            unlink(final)
            // Downloaded by the previous round: make it due again, keeping its file name.
            try workspace.store.markFileProblem(recording.sid, reason: "bench", now: Date())
            try workspace.store.resetForRetry([recording.sid], now: Date())
            var decision: DownloadDecision?
            let seconds = await secondsTakenAsync { decision = await downloader.attempt(recording.sid) }
            guard decision == .downloaded, fileSize(final) == Int64(bytes) else {
                throw BenchFailure("our download of \(recording.sid) ended \(String(describing: decision)), \(fileSize(final)) bytes on disk")
            }
            return seconds
        }

        let curlDir = try tmp.subdirectory("curl")
        let curlOut = curlDir.appendingPathComponent("out.mp3").path
        func reference(durable: Bool) throws -> Double {
            unlink(curlOut)
            var outcome: ChildProcess.Outcome?
            let seconds = try secondsTaken {
                outcome = try ChildProcess.run(curl, ["-s", "-f", "-u", "\(account):\(token)", "-o", curlOut, server.mediaURL(big.sid)])
                if durable { fsyncPath(curlOut); fsyncPath(curlDir.path, directory: true) }
            }
            guard outcome?.status == 0, fileSize(curlOut) == Int64(bigBytes) else {
                throw BenchFailure("curl exited \(outcome?.status ?? -1): \(outcome?.output.prefix(300) ?? "")")
            }
            return seconds
        }

        // Transport alone: CurlSession.get straight into write(2), no check, hash or fsync.
        let session = CurlSession()
        let rawOut = tmp.path("raw.mp3")
        func transportOnly() async throws -> Double {
            unlink(rawOut)
            let fd = open(rawOut, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw BenchFailure("cannot create \(rawOut)") }
            defer { close(fd) }
            var status = 0
            let seconds = try await secondsTakenAsync {
                let head = try await session.get(server.mediaURL(big.sid), userPassword: "\(account):\(token)") { chunk in
                    var offset = 0
                    while offset < chunk.count {
                        let n = write(fd, chunk.baseAddress! + offset, chunk.count - offset)
                        if n < 0 { if errno == EINTR { continue }; return false }
                        offset += n
                    }
                    return true
                }
                status = head.status
            }
            guard status == 200, fileSize(rawOut) == Int64(bigBytes) else { throw BenchFailure("transport-only GET: HTTP \(status)") }
            return seconds
        }

        // Peak memory first, while the heap has never held a large buffer:
        // a 1 MB download warms every code path, then the peak is reset.
        _ = try await ours(warm, bytes: 1 << 20)
        let rssBefore = ProcessMemory.currentMB
        let canReset = ProcessMemory.resetPeak()
        _ = try await ours(big, bytes: bigBytes)
        let rssGrowth = ProcessMemory.peakMB - rssBefore
        _ = try reference(durable: true)  // warm-up for curl too

        var oursTimes: [Double] = [], curlTimes: [Double] = [], rawTimes: [Double] = [], curlPlainTimes: [Double] = []
        var ratios: [Double] = [], rawRatios: [Double] = []
        for round in 0..<rounds {
            // Interleaved; who goes first alternates so neither always meets a busier disk.
            var o = 0.0, c = 0.0, r = 0.0, p = 0.0
            if round % 2 == 0 {
                o = try await ours(big, bytes: bigBytes); c = try reference(durable: true)
                r = try await transportOnly(); p = try reference(durable: false)
            } else {
                c = try reference(durable: true); o = try await ours(big, bytes: bigBytes)
                p = try reference(durable: false); r = try await transportOnly()
            }
            oursTimes.append(o); curlTimes.append(c); rawTimes.append(r); curlPlainTimes.append(p)
            ratios.append(o / c); rawRatios.append(r / p)
        }

        let mb = Double(bigBytes) / Double(1 << 20)
        BenchLine.emit("download_vs_curl_50MB", ratios.median, "ratio", goal: "<= 1.10")
        BenchLine.emit("download_ours_50MB", mb / oursTimes.median, "MB/s", goal: nil, digits: 0)
        BenchLine.emit("download_curl_50MB", mb / curlTimes.median, "MB/s", goal: nil, digits: 0)
        BenchLine.emit("download_transport_vs_curl_50MB", rawRatios.median, "ratio", goal: nil)
        if canReset {
            BenchLine.emit("download_peak_rss_growth_50MB", rssGrowth, "MB", goal: "<= 10", digits: 1)
            BenchLine.note("peak RSS growth = VmHWM during one 50 MB download minus RSS before it (reset via clear_refs): flat means a few MB at most, not ~50")
        } else {
            BenchLine.note("download_peak_rss_growth_50MB skipped: /proc/self/clear_refs is not writable here")
        }
        BenchLine.note(String(format: "download: median of %d interleaved rounds (per-round ratio); ours %.0f ms [%.0f–%.0f], curl+fsync %.0f ms [%.0f–%.0f]",
                              rounds, oursTimes.median * 1000, oursTimes.best * 1000, (oursTimes.max() ?? .nan) * 1000,
                              curlTimes.median * 1000, curlTimes.best * 1000, (curlTimes.max() ?? .nan) * 1000))
        BenchLine.note(String(format: "download breakdown (best of each, rough under load): transport-only %.0f ms, curl -o without fsync %.0f ms → fsync adds ~%.0f ms to curl; ours spends ~%.0f ms beyond transport + that fsync (SHA-256, metadata GET, audio check, rename, SQLite)",
                              rawTimes.best * 1000, curlPlainTimes.best * 1000, (curlTimes.best - curlPlainTimes.best) * 1000,
                              (oursTimes.best - rawTimes.best - (curlTimes.best - curlPlainTimes.best)) * 1000))
        BenchLine.note("ours = RecordingDownloader.attempt: metadata GET + media GET + audio check + write + SHA-256 + fsync + rename + SQLite attempt row")
        BenchLine.note("reference = curl -s -f -u … -o FILE URL, then fsync(FILE) and fsync(folder); curl spawn time counts against curl")
        BenchLine.note("transport ratio = CurlSession.get → write(2) only vs plain curl -o (neither hashes nor fsyncs)")
    }
}
