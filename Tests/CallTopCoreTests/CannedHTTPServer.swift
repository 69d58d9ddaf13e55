import Foundation

/// A loopback HTTP/1.1 server with fixed answers by path, for the answers
/// the simulator does not give (an oversized error body, a broken `uri`).
/// One connection at a time, `Connection: close` after every answer.
final class CannedHTTPServer: @unchecked Sendable {
    struct Answer {
        var status: Int
        var headers: [(String, String)] = []
        var body: Data
    }

    let port: Int
    private let listener: Int32
    private let answers: [String: Answer]
    private let lock = NSLock()
    private var paths: [String] = []

    var requestedPaths: [String] { lock.lock(); defer { lock.unlock() }; return paths }
    var baseURL: String { "http://127.0.0.1:\(port)" }

    init(_ answers: [String: Answer]) throws {
        self.answers = answers
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else { close(fd); throw CocoaError(.fileWriteUnknown) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in serve() }
    }

    func stop() { shutdown(listener, Int32(SHUT_RDWR)); close(listener) }

    private func serve() {
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            var request = Data()
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !request.contains(Data("\r\n\r\n".utf8)) {
                let n = read(connection, &buffer, buffer.count)
                if n <= 0 { break }
                request.append(buffer, count: n)
            }
            let line = String(decoding: request.prefix { $0 != 13 }, as: UTF8.self)
            let target = line.split(separator: " ").dropFirst().first.map(String.init) ?? "/"
            let path = target.split(separator: "?").first.map(String.init) ?? target
            lock.lock(); paths.append(path); lock.unlock()
            let answer = answers[path] ?? Answer(status: 404, body: Data("{\"code\": 20404, \"status\": 404}".utf8))
            var head = "HTTP/1.1 \(answer.status) Canned\r\nContent-Length: \(answer.body.count)\r\nConnection: close\r\n"
            for (name, value) in answer.headers { head += "\(name): \(value)\r\n" }
            let bytes = Data((head + "\r\n").utf8) + answer.body
            bytes.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = write(connection, raw.baseAddress! + offset, raw.count - offset)
                    if n <= 0 { break }
                    offset += n
                }
            }
            close(connection)
        }
    }
}
