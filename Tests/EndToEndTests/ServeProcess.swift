import CallTopWebhooks
import Foundation

/// `calltop serve` in the background against a simulator, read until it
/// prints its port; what an operator's systemd unit runs.
final class ServeProcess {
    let process = Process()
    let port: Int
    let env: [String: String]
    let publicURL = "https://hooks.example.test"
    private let errorLog: URL

    init(env: [String: String], arguments: [String] = []) throws {
        self.env = env
        let (out, errorLog) = try ChildCalltop.launch(process, arguments: ["serve", "--port", "0", "--public-url", publicURL] + arguments,
                                                      env: env, logName: "serve")
        self.errorLog = errorLog
        guard let port = ListeningLine.read(out, timeout: 60).ports.first else {
            process.terminate()
            throw ServeFailed(stderr: (try? String(contentsOf: errorLog, encoding: .utf8)) ?? "")
        }
        self.port = port
        // Keep reading stdout so serve never blocks on a full pipe.
        DispatchQueue.global().async { _ = out.fileHandleForReading.readDataToEndOfFile() }
    }

    struct ServeFailed: Error, CustomStringConvertible {
        var stderr: String
        var description: String { "serve did not start: \(stderr)" }
    }

    var stderr: String { (try? String(contentsOf: errorLog, encoding: .utf8)) ?? "" }

    /// GET a path: (status, body).
    func get(_ path: String) throws -> (Int, String) {
        try HTTP.request("http://127.0.0.1:\(port)\(path)")
    }

    /// A recording-status callback signed as Twilio signs it.
    func recordingCompleted(callSid: String, recordingSid: String, signed: Bool = true) throws -> Int {
        let params = [
            ("AccountSid", env["TWILIO_ACCOUNT_SID"] ?? ""), ("CallSid", callSid), ("RecordingSid", recordingSid),
            ("RecordingStatus", "completed"), ("RecordingDuration", "10"), ("RecordingChannels", "1"),
        ]
        let signature = signed
            ? TwilioSignature.compute(url: publicURL + "/twilio/recording-status", params: params, authToken: env["TWILIO_AUTH_TOKEN"] ?? "")
            : "not-a-signature"
        let body = params.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0.1)" }.joined(separator: "&")
        return try HTTP.request("http://127.0.0.1:\(port)/twilio/recording-status", method: "POST", body: body,
                                headers: ["Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature]).0
    }

    /// Sends SIGTERM and waits for the exit: (status, seconds it took).
    func terminate(timeout: TimeInterval = 60) -> (Int32, TimeInterval) {
        let start = Date()
        kill(process.processIdentifier, SIGTERM)
        while process.isRunning && Date().timeIntervalSince(start) < timeout { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning { process.interrupt(); kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return (process.terminationStatus, Date().timeIntervalSince(start))
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
    }
}

/// Plain HTTP through the curl tool, as an operator or a load balancer probes.
enum HTTP {
    static func request(_ url: String, method: String = "GET", body: String? = nil, headers: [String: String] = [:],
                        extraArguments: [String] = []) throws -> (Int, String) {
        var args = ["-sS", "--max-time", "20", "-X", method, "-o", "-", "-w", "\n%{http_code}"] + extraArguments
        for (k, v) in headers { args += ["-H", "\(k): \(v)"] }
        if let body { args += ["--data-binary", body] }
        args.append(url)
        let r = try Shell.run("/usr/bin/curl", args)
        var lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let code = Int(lines.popLast() ?? "") ?? 0
        return (code, lines.joined(separator: "\n"))
    }
}

/// Runs a program to completion: (status, stdout, stderr).
enum Shell {
    struct Result { var status: Int32; var stdout: String; var stderr: String }

    @discardableResult
    static func run(_ path: String, _ arguments: [String], env: [String: String]? = nil, cwd: String? = nil,
                    timeout: TimeInterval = 120) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        if let env { p.environment = env }
        if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let outData = Mutable(Data()), errData = Mutable(Data())
        let group = DispatchGroup()
        for (pipe, box) in [(out, outData), (err, errData)] {
            group.enter()
            DispatchQueue.global().async { box.value = pipe.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        }
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if p.isRunning { p.terminate() }
        p.waitUntilExit()
        group.wait()
        return Result(status: p.terminationStatus, stdout: String(decoding: outData.value, as: UTF8.self),
                      stderr: String(decoding: errData.value, as: UTF8.self))
    }
}

/// One sample of a Prometheus text exposition: `name{labels} value`.
struct PrometheusText {
    let text: String

    /// The value of the series whose name and labels (all of `labels`) match; nil if absent.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            guard parts.count >= 2 else { continue }
            let series = parts[0]
            let seriesName = series.prefix { $0 != "{" }
            guard seriesName == name else { continue }
            let labelText = series.dropFirst(seriesName.count)
            if labels.allSatisfy({ labelText.contains("\($0.key)=\"\($0.value)\"") }) { return Double(parts[1]) }
        }
        return nil
    }
}
