import CallTopCore
import Foundation
import Testing
@testable import CallTopWebhooks

/// A raw TCP client: what a slowloris or a scanner does, byte by byte.
private final class RawClient {
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &address) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard ok else { close(fd); throw CocoaError(.fileReadUnknown) }
    }

    deinit { close(fd) }

    func send(_ text: String) { _ = text.withCString { Glibc.send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) } }

    /// What arrives within `timeout`; `closed` when the server hung up.
    func read(timeout: Double) -> (text: String, closed: Bool) {
        var out = Data()
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, Int32(max(1, deadline.timeIntervalSinceNow * 1000))) > 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { return (String(decoding: out, as: UTF8.self), true) }
            out.append(contentsOf: buffer[0..<n])
            if String(decoding: out, as: UTF8.self).contains("\r\n\r\n") { return (String(decoding: out, as: UTF8.self), false) }
        }
        return (String(decoding: out, as: UTF8.self), false)
    }
}

@Suite(.serialized) struct ConnectionLimitTests {
    @Test func halfSentRequestsAreClosedAtTheReadTimeout() async throws {
        let h = try await ServeHarness.start(limits: ConnectionLimits(readTimeout: .seconds(1), idleTimeout: .seconds(1), maxConnections: 100))
        defer { Task { await h.stop() } }
        let started = Date()
        // 50 heads that never end, as in the review.
        let clients = try (0..<50).map { _ in try RawClient(port: h.port) }
        for c in clients { c.send("POST /twilio/recording-status HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form") }
        for c in clients { #expect(c.read(timeout: 6).closed, "a half-sent request was still open") }
        #expect(Date().timeIntervalSince(started) < 6)
    }

    @Test func aBodyThatTricklesInIsCutOffToo() async throws {
        let h = try await ServeHarness.start(limits: ConnectionLimits(readTimeout: .seconds(1), idleTimeout: .seconds(30), maxConnections: 100))
        defer { Task { await h.stop() } }
        let client = try RawClient(port: h.port)
        client.send("POST /twilio/recording-status HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n")
        let started = Date()
        var closed = false
        // A byte every 0.2 s keeps an idle timer happy for ever; the read timeout is for the whole request.
        for _ in 0..<30 where !closed {
            client.send("a")
            closed = client.read(timeout: 0.2).closed
        }
        #expect(closed)
        #expect(Date().timeIntervalSince(started) < 4)
    }

    @Test func pastTheCapNewConnectionsWaitTheirTurn() async throws {
        let h = try await ServeHarness.start(limits: ConnectionLimits(readTimeout: .seconds(30), idleTimeout: .seconds(30), maxConnections: 2))
        defer { Task { await h.stop() } }
        let holders = try (0..<2).map { _ in try RawClient(port: h.port) }
        for c in holders { c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n") }
        for c in holders { #expect(c.read(timeout: 3).text.hasPrefix("HTTP/1.1 200")) }
        // Both stay open (keep-alive): a third is not served...
        let third = try RawClient(port: h.port)
        third.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(third.read(timeout: 1).text.isEmpty)
        // ...until one of the two goes.
        shutdown(holders[0].fd, Int32(SHUT_RDWR))
        #expect(third.read(timeout: 5).text.hasPrefix("HTTP/1.1 200"))
    }

    @Test func anIdleKeptAliveConnectionIsClosed() async throws {
        let h = try await ServeHarness.start(limits: ConnectionLimits(readTimeout: .seconds(30), idleTimeout: .seconds(1), maxConnections: 10))
        defer { Task { await h.stop() } }
        let client = try RawClient(port: h.port)
        client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(client.read(timeout: 3).text.hasPrefix("HTTP/1.1 200"))
        #expect(client.read(timeout: 5).closed)
    }
}

@Suite struct RefusalTallyTests {
    @Test func oneSummaryLinePerIntervalWithThousandsGrouped() {
        let start = Date(timeIntervalSince1970: 1_000)
        let tally = RefusalTally(interval: 60, now: start)
        for _ in 0..<1_234 { tally.record(.recordingStatus) }
        tally.record(.agentTranscript)
        #expect(tally.summary(now: start.addingTimeInterval(30)) == nil)
        #expect(tally.summary(now: start.addingTimeInterval(60))
            == "[WEBHOOK] Refused 1,235 unsigned or badly signed requests in the last 60 s (1,234 recording status, 1 realtime transcript)")
        // A quiet interval says nothing.
        #expect(tally.summary(now: start.addingTimeInterval(130)) == nil)
        tally.record(.transcription)
        #expect(tally.summary(now: start.addingTimeInterval(140), force: true)
            == "[WEBHOOK] Refused 1 unsigned or badly signed request in the last 10 s (1 transcription)")
        #expect(RefusalTally.grouped(1_000_000) == "1,000,000")
    }
}
