@testable import CallTopCore
import Foundation
import Testing

/// What leaves the process and what reaches the terminal, checked on the real binary.
@Suite(.serialized) struct SecurityCommandLineTests {
    func tempDir(_ name: String) throws -> URL {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("calltop-sec-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A speech home whose worker writes its environment to `dump` and answers every job with `text`.
    func speechHome(dump: URL, text: String) throws -> URL {
        let root = try tempDir("speech")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("speech"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent(".venv/bin"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent(".venv/bin/python").path, withDestinationPath: "/usr/bin/python3")
        // A JSON string is also a Python string literal (\\u001b escapes).
        func literal(_ text: String) throws -> String {
            String(String(decoding: try JSONSerialization.data(withJSONObject: [text], options: .withoutEscapingSlashes), as: UTF8.self).dropFirst().dropLast())
        }
        let script = """
            import json, os, sys
            json.dump(dict(os.environ), open(\(try literal(dump.path)), "w"))
            print(json.dumps({"type": "ready", "protocol": 1, "pid": os.getpid(), "models": {}, "loaded": []}), flush=True)
            for line in sys.stdin:
                req = json.loads(line)
                print(json.dumps({"id": req["id"], "type": "result", "text": \(try literal(text)), "segments": [],
                                  "language": "en", "model": "base", "model_sha256": "0" * 64, "settings": {},
                                  "audio_seconds": 1.0, "processing_seconds": 0.01}), flush=True)
            """
        try script.write(to: root.appendingPathComponent("speech/worker.py"), atomically: true, encoding: .utf8)
        return root
    }

    @Test func theSpeechWorkerGetsNoCredentialsAndItsTranscriptReachesTheTerminalSafely() throws {
        let dump = try tempDir("dump").appendingPathComponent("env.json")
        let home = try speechHome(dump: dump, text: "hello \u{1B}[2J\u{1B}]0;owned\u{07} world")
        let audio = try tempDir("audio").appendingPathComponent("f.mp3")
        try Data(repeating: 0x55, count: 2_000).write(to: audio)
        let secrets = ["TWILIO_AUTH_TOKEN": "auth-token-should-stay-home", "TWILIO_API_SECRET": "api-secret-should-stay-home",
                       "CALLTOP_NOTIFY_SECRET": "notify-secret-stays", "CALLTOP_INGEST_TOKEN": "ingest-token-stays",
                       "TWILIO_ACCOUNT_SID": "AC" + String(repeating: "a", count: 32)]
        let run = try CalltopBinary.run(["transcribe", "--file", audio.path],
                                        env: secrets.merging(["CALLTOP_SPEECH_HOME": home.path, "CALLTOP_HOME": try tempDir("data").appendingPathComponent("d").path,
                                                              "PYTHONPATH": "/evil", "LD_PRELOAD": ""]) { $1 })
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "hello \\x1b[2J\\x1b]0;owned\\x07 world\n")

        let received = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dump)) as? [String: String])
        let allowed: Set<String> = ["PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "CALLTOP_SPEECH_LOG", "HF_HUB_OFFLINE",
                                    "PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE", "PYTHONNOUSERSITE", "LC_CTYPE", "PWD"]
        #expect(Set(received.keys).subtracting(allowed).isEmpty, "the worker got \(received.keys.sorted())")
        #expect(received["HF_HUB_OFFLINE"] == "1")
        for value in secrets.values { #expect(!received.values.contains(value)) }
    }

    @Test func aSpeechEnginePlantedInTheCurrentDirectoryNeverRuns() throws {
        let planted = try tempDir("planted")
        let marker = planted.appendingPathComponent("RAN")
        try FileManager.default.createDirectory(at: planted.appendingPathComponent("speech"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: planted.appendingPathComponent(".venv/bin"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: planted.appendingPathComponent("a/b"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: planted.appendingPathComponent(".venv/bin/python").path, withDestinationPath: "/usr/bin/python3")
        try "open(\(String(reflecting: marker.path)), 'w').write('pwned')\n"
            .write(to: planted.appendingPathComponent("speech/worker.py"), atomically: true, encoding: .utf8)
        let audio = planted.appendingPathComponent("a/b/f.mp3")
        try Data(repeating: 0x55, count: 2_000).write(to: audio)

        // The binary copied out of its build tree, as in the report: only the current directory holds a speech engine.
        let copy = try tempDir("bin").appendingPathComponent("calltop")
        try FileManager.default.copyItem(at: CalltopBinary.url, to: copy)
        defer { try? FileManager.default.removeItem(at: copy) }
        let process = Process()
        process.executableURL = copy
        process.arguments = ["transcribe", "--file", "f.mp3", "--model", "tiny.en"]
        process.currentDirectoryURL = planted.appendingPathComponent("a/b")
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory(), "LANG": "C.UTF-8", "HF_HUB_OFFLINE": "1",
                               "CALLTOP_HOME": try tempDir("data").appendingPathComponent("d").path, "TWILIO_AUTH_TOKEN": "auth-token-should-stay-home"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(!FileManager.default.fileExists(atPath: marker.path), "calltop ran the speech/worker.py it found in the current directory")
    }

    @Test func listAndErrorLinesEscapeWhatCallersAndTwilioSent() throws {
        let dir = try tempDir("list")
        let store = try Store(dataDir: dir)
        try store.upsertCalls([TwilioCall(sid: "CA" + String(repeating: "1", count: 32), from: "+1415\u{1B}]0;pwned\u{07}\nCA-forged-row",
                                          to: "\u{9B}2J+44", direction: "inbound", status: "completed", startTime: Date(), durationS: 9)],
                              now: Date())
        let list = try CalltopBinary.run(["list", "--data-dir", dir.path])
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.split(separator: "\n").count == 2, "\(list.stdout)")
        #expect(!list.stdout.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x9B || $0.value == 0x07 })
        #expect(list.stdout.contains("+1415\\x1b]0;pwned\\x07\\nCA-forged-row"))

        let bad = try CalltopBinary.run(["download", "--data-dir", dir.path, "https://x.example/Recordings/\u{1B}[2Jnot-a-sid"],
                                        env: ["TWILIO_ACCOUNT_SID": "AC" + String(repeating: "a", count: 32), "TWILIO_AUTH_TOKEN": "t0123456789abcdef"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("\\x1b[2Jnot-a-sid"), "\(bad.stderr)")
        #expect(!bad.stderr.unicodeScalars.contains { $0.value == 0x1B })
    }

    @Test func doctorAndEveryCommandWarnAboutAnOpenDataDirAndCoreDumpsAreOff() throws {
        let dir = try tempDir("open")
        chmod(dir.path, 0o755)
        let doctor = try CalltopBinary.run(["doctor", "--data-dir", dir.path])
        #expect(doctor.stdout.contains("FAIL data dir"), "\(doctor.stdout)")
        #expect(doctor.stdout.contains("chmod 700 \(dir.path)"))
        #expect(doctor.stdout.contains("ok   core dumps"), "\(doctor.stdout)")
        #expect(doctor.stderr.contains("calltop: warning: data dir \(dir.path) is open to every local user"), "\(doctor.stderr)")
        let list = try CalltopBinary.run(["list", "--data-dir", dir.path])
        #expect(list.status == 0)
        #expect(list.stderr.contains("calltop: warning: data dir"), "\(list.stderr)")

        chmod(dir.path, 0o700)
        let quiet = try CalltopBinary.run(["list", "--data-dir", dir.path])
        #expect(quiet.stderr.isEmpty, "\(quiet.stderr)")
        #expect(try CalltopBinary.run(["doctor", "--data-dir", dir.path]).stdout.contains("ok   data dir"))
    }

    @Test func theNotifyURLCanComeFromTheEnvironmentAndIsNeverEchoed() throws {
        let env = ["TWILIO_ACCOUNT_SID": "AC" + String(repeating: "a", count: 32), "TWILIO_AUTH_TOKEN": "auth-token-0123456789",
                   "CALLTOP_HOME": try tempDir("serve").path]
        // Without the secret, serve refuses: the URL was read from the environment.
        let missing = try CalltopBinary.run(["serve", "--port", "0", "--public-url", "https://hooks.example"],
                                            env: env.merging(["CALLTOP_NOTIFY_URL": "https://agent.example/in?token=url-token-0123456789"]) { $1 })
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("needs CALLTOP_NOTIFY_SECRET"), "\(missing.stderr)")
        #expect(!missing.stderr.contains("url-token-0123456789"))
        let userinfo = try CalltopBinary.run(["serve", "--port", "0", "--public-url", "https://hooks.example"],
                                             env: env.merging(["CALLTOP_NOTIFY_URL": "https://u:pw-0123456789@agent.example/in",
                                                               "CALLTOP_NOTIFY_SECRET": "notify-secret-0123"]) { $1 })
        #expect(userinfo.status != 0)
        #expect(userinfo.stderr.contains("CALLTOP_NOTIFY_URL must not carry user:password@"), "\(userinfo.stderr)")
        #expect(!userinfo.stderr.contains("pw-0123456789"))
    }
}
