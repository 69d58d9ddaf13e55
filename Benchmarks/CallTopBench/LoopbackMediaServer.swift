import Foundation

/// A Twilio-shaped file server on 127.0.0.1 in a Python stdlib subprocess
/// (no Hummingbird, so it costs the same for us and for curl): recording
/// metadata as JSON and the media file, sent with sendfile(2) so the server is
/// never the bottleneck. Credentials are accepted without checking.
final class LoopbackMediaServer {
    struct Recording {
        var sid: String
        var callSid: String
        var file: String
    }

    let accountSid: String
    private let server: ListeningServer
    var port: Int { server.port }
    var baseURL: String { "http://127.0.0.1:\(port)" }

    init(accountSid: String, recordings: [Recording], scriptDirectory: TemporaryDirectory) throws {
        self.accountSid = accountSid
        let script = scriptDirectory.path("loopback_media_server.py")
        try Self.script.write(toFile: script, atomically: true, encoding: .utf8)
        var table: [String: [String: String]] = [:]
        for r in recordings { table[r.sid] = ["call": r.callSid, "file": r.file] }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: table), as: UTF8.self)
        let python = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : (ChildProcess.which("python3") ?? "python3")
        server = try ListeningServer(python, [script, accountSid, json], timeout: 30)
    }

    func mediaURL(_ recordingSid: String) -> String {
        "\(baseURL)/2010-04-01/Accounts/\(accountSid)/Recordings/\(recordingSid).mp3"
    }

    func stop() { server.stop() }

    /// Writes `bytes` bytes that read as MP3 (an ID3v2 header, then an MPEG
    /// frame sync) followed by pseudo-random data, so nothing compresses it.
    static func writeFakeMP3(path: String, bytes: Int) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else { throw BenchFailure("cannot create \(path)") }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var header: [UInt8] = Array("ID3".utf8) + [4, 0, 0, 0, 0, 0, 0] + [0xFF, 0xFB, 0x90, 0x64]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let chunkSize = 1 << 20
        var written = 0
        while written < bytes {
            let n = min(chunkSize, bytes - written)
            var chunk = [UInt8](repeating: 0, count: n)
            chunk.withUnsafeMutableBytes { raw in
                let words = raw.bindMemory(to: UInt64.self)
                for i in 0..<words.count {
                    state ^= state << 13; state ^= state >> 7; state ^= state << 17
                    words[i] = state
                }
            }
            if written == 0 {
                for (i, b) in header.prefix(n).enumerated() { chunk[i] = b }
                header = []
            }
            try handle.write(contentsOf: chunk)
            written += n
        }
    }

    private static let script = #"""
import http.server, json, os, sys

account, table = sys.argv[1], json.loads(sys.argv[2])
prefix = f"/2010-04-01/Accounts/{account}/Recordings/"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, ctype, body):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        path = self.path.split("?")[0]
        name = path[len(prefix):] if path.startswith(prefix) else ""
        sid, _, ext = name.partition(".")
        rec = table.get(sid)
        if rec is None:
            return self.reply(404, "application/json", b'{"code": 20404, "message": "not found", "status": 404}')
        if ext == "json":
            doc = {"sid": sid, "account_sid": account, "call_sid": rec["call"], "status": "completed",
                   "duration": "3000", "channels": 1, "source": "OutboundAPI", "error_code": None,
                   "date_created": "Mon, 13 May 2024 10:00:00 +0000", "start_time": "Mon, 13 May 2024 09:10:00 +0000",
                   "uri": prefix + sid + ".json"}
            return self.reply(200, "application/json", json.dumps(doc).encode())
        size = os.path.getsize(rec["file"])
        self.send_response(200)
        self.send_header("Content-Type", "audio/mpeg")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        with open(rec["file"], "rb") as f:
            self.connection.sendfile(f)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print(f"LISTENING {server.server_address[1]}", flush=True)
server.serve_forever()
"""#
}
