import Foundation
@testable import CallTopCore

/// A speech engine whose worker.py is a short Python script written by the
/// test: the venv's python is the system one. For the supervisor's failure
/// paths (hangs, deaths between jobs) without loading a model.
enum FakeSpeechHome {
    /// The protocol's ready line, then `body` runs with `emit(obj)` and the request lines on stdin.
    static func make(_ body: String) throws -> SpeechEnvironment {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("calltop-fake-speech-\(UUID().uuidString.prefix(8))")
        let fm = FileManager.default
        try fm.createDirectory(at: root.appendingPathComponent("speech"), withIntermediateDirectories: true)
        try fm.createDirectory(at: root.appendingPathComponent(".venv/bin"), withIntermediateDirectories: true)
        try fm.createSymbolicLink(atPath: root.appendingPathComponent(".venv/bin/python").path, withDestinationPath: "/usr/bin/python3")
        let script = """
            import json, os, sys, time
            def emit(obj):
                sys.stdout.write(json.dumps(obj) + "\\n"); sys.stdout.flush()
            def result(req_id, text="ok"):
                return {"id": req_id, "type": "result", "text": text, "segments": [], "language": "en", "model": "base",
                        "model_sha256": "0" * 64, "settings": {}, "audio_seconds": 1.0, "processing_seconds": 0.01}
            emit({"type": "ready", "protocol": 1, "pid": os.getpid(), "models": {}, "loaded": []})

            """ + body
        try script.write(to: root.appendingPathComponent("speech/worker.py"), atomically: true, encoding: .utf8)
        for path in [root.path, root.appendingPathComponent("speech").path, root.appendingPathComponent(".venv").path,
                     root.appendingPathComponent(".venv/bin").path] { chmod(path, 0o755) }
        return SpeechEnvironment(root: root)
    }

    /// Any bytes will do: the fake worker never decodes them.
    static func audioFile(bytes: Int = 4_000) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("calltop-fake-\(UUID().uuidString.prefix(8)).mp3")
        try Data(repeating: 0x55, count: bytes).write(to: url)
        return url
    }
}
