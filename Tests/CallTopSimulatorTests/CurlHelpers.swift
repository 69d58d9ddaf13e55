import Foundation
import Testing

@testable import CallTopSimulator

/// One curl run: the final response's status and headers, the body bytes and curl's exit code.
struct CurlResult {
    var exitCode: Int32
    var status: Int
    var headers: [String: String]
    var body: Data
    var stderr: String
    var seconds: Double

    var text: String { String(decoding: body, as: UTF8.self) }

    func json() throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: body) as? [String: Any], "not a JSON object: \(text.prefix(300))")
    }
}

/// curl, run on a thread of its own: blocking the cooperative pool could starve
/// the simulator under test, and blocking Dispatch workers stalls Process's own
/// termination handling (Dispatch runs only a few workers on 2 cores).
func curl(_ url: String, auth: (String, String)? = nil, _ extra: [String] = []) async throws -> CurlResult {
    try await withCheckedThrowingContinuation { continuation in
        Thread {
            do {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
                var args = ["-s", "-S", "-i", "--max-time", "30"]
                if let auth { args += ["-u", "\(auth.0):\(auth.1)"] }
                process.arguments = args + extra + [url]
                let out = Pipe()
                let err = Pipe()
                process.standardOutput = out
                process.standardError = err
                let began = Date()
                try process.run()
                let output = out.fileHandleForReading.readDataToEndOfFile()
                let errors = err.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                var result = parse(output)
                result.exitCode = process.terminationStatus
                result.stderr = String(decoding: errors, as: UTF8.self)
                result.seconds = Date().timeIntervalSince(began)
                continuation.resume(returning: result)
            } catch {
                continuation.resume(throwing: error)
            }
        }.start()
    }
}

/// With -i (and -L) curl prints every response's head; keep the last one's.
private func parse(_ output: Data) -> CurlResult {
    var rest = output[...]
    var status = 0
    var headers: [String: String] = [:]
    let separator = Data("\r\n\r\n".utf8)
    while rest.starts(with: Data("HTTP/".utf8)), let end = rest.range(of: separator) {
        let head = String(decoding: rest[rest.startIndex..<end.lowerBound], as: UTF8.self)
        let lines = head.components(separatedBy: "\r\n")
        status = Int(lines[0].split(separator: " ")[1]) ?? 0
        headers = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        rest = rest[end.upperBound...]
    }
    return CurlResult(exitCode: 0, status: status, headers: headers, body: Data(rest), stderr: "", seconds: 0)
}

/// A started simulator, stopped when the test body ends.
func withSimulator<T>(
    _ config: SimulatorConfig = SimulatorConfig(now: testNow),
    _ body: (TwilioSimulator) async throws -> T
) async throws -> T {
    let simulator = TwilioSimulator(config: config)
    _ = try await simulator.start()
    do {
        let value = try await body(simulator)
        await simulator.stop()
        return value
    } catch {
        await simulator.stop()
        throw error
    }
}

/// A fixed "now" so generated data is stable from run to run.
let testNow = Date(timeIntervalSince1970: 1_795_514_400)  // Tue, 24 Nov 2026 10:00:00 +0000

func config(_ specs: String..., callCount: Int = 40) throws -> SimulatorConfig {
    SimulatorConfig(callCount: callCount, now: testNow, scenarios: try specs.map(ScenarioRule.parse))
}

extension TwilioSimulator {
    var tokenAuth: (String, String) { (config.accountSid, config.authToken) }
    var keyAuth: (String, String) { (config.apiKeySid, config.apiKeySecret) }
    var accountBase: String { "\(baseURL)/2010-04-01/Accounts/\(config.accountSid)" }

    func mediaURL(_ sid: String, _ suffix: String = ".mp3") -> String { "\(accountBase)/Recordings/\(sid)\(suffix)" }

    func get(_ pathOrURL: String, _ extra: [String] = []) async throws -> CurlResult {
        let url = pathOrURL.hasPrefix("http") ? pathOrURL : baseURL + pathOrURL
        return try await curl(url, auth: tokenAuth, extra)
    }
}

func isMP3(_ data: Data) -> Bool {
    let b = [UInt8](data.prefix(3))
    guard b.count == 3 else { return false }
    return (b[0] == 0x49 && b[1] == 0x44 && b[2] == 0x33) || (b[0] == 0xFF && b[1] & 0xE0 == 0xE0)
}

func isWAV(_ data: Data) -> Bool {
    data.count > 44 && data.prefix(4) == Data("RIFF".utf8) && data[8..<12] == Data("WAVE".utf8)
}
