import Foundation
import Testing
@testable import CallTopCore

@Suite struct SafeTextTests {
    @Test func controlsBecomeVisibleEscapes() {
        #expect(SafeText.escaped("evil\u{1B}[31mred\u{1B}]0;title\u{07}") == "evil\\x1b[31mred\\x1b]0;title\\x07")
        #expect(SafeText.escaped("csi\u{9B}2J del\u{7F} nul\u{0}") == "csi\\x9b2J del\\x7f nul\\x00")
        #expect(SafeText.escaped("a\nb\r\nc\td") == "a\\nb\\r\\nc\\td")
        #expect(SafeText.escaped("rtl\u{202E}txt.exe line\u{2028}sep") == "rtl\\u{202e}txt.exe line\\u{2028}sep")
    }

    @Test func ordinaryTextIsUntouched() {
        for text in ["+14155550100", "client:Zoë → agent", "日本語の通話", "👩‍💻 emoji with ZWJ", "café", "tabs? no"] {
            #expect(SafeText.escaped(text) == text)
        }
    }

    @Test func linesKeepTheirBreaksButNothingElse() {
        #expect(SafeText.escapedLines("Channel 1: hi\nChannel 2: \u{1B}[2Jbye") == "Channel 1: hi\nChannel 2: \\x1b[2Jbye")
    }

    @Test func nothingEscapedContainsAControl() {
        let all = String(String.UnicodeScalarView((0..<0x250).compactMap(Unicode.Scalar.init)))
        let out = SafeText.escaped(all)
        #expect(!out.unicodeScalars.contains { $0.value < 0x20 || (0x7F..<0xA0).contains($0.value) })
    }
}

@Suite struct LogLineSafetyTests {
    @Test func aNewlineInAURICannotForgeALogLine() throws {
        let dir = temporaryDirectory()
        let file = dir.appendingPathComponent("logs/calltop.log")
        let sink = LogSink(logFile: file, redactor: Redactor(secrets: []), keepInMemory: true)
        let uri = "/2010-04-01/Accounts/AC1/Recordings/RE1.json\n2026-01-01T00:00:00Z INFO [OFFLINE_STT] Transcript obtained: 9 chars for CA1"
        sink.makeLogger().info("[OFFLINE_STT] Original recording_url for CA1: \(uri) \u{1B}]0;pwned\u{07}")
        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.filter { $0.contains("[OFFLINE_STT]") }.count == 1)
        #expect(lines[0].contains("RE1.json\\n2026-01-01"))
        #expect(!lines[0].contains("\u{1B}"))
    }

    @Test func theLogRotatesBySizeKeepingAFewGenerationsAllPrivate() throws {
        let dir = temporaryDirectory()
        let file = dir.appendingPathComponent("logs/calltop.log")
        let sink = LogSink(logFile: file, redactor: Redactor(secrets: []), rotation: LogRotation(maxBytes: 2_000, generations: 2))
        let logger = sink.makeLogger()
        for i in 0..<200 { logger.info("line \(i) \(String(repeating: "x", count: 60))") }
        let fm = FileManager.default
        let names = try fm.contentsOfDirectory(atPath: file.deletingLastPathComponent().path).sorted()
        #expect(names == ["calltop.log", "calltop.log.1", "calltop.log.2"])
        for name in names {
            let url = file.deletingLastPathComponent().appendingPathComponent(name)
            let size = try #require(try fm.attributesOfItem(atPath: url.path)[.size] as? NSNumber).intValue
            #expect(size < 2_200, "\(name) is \(size) bytes")
            #expect(PrivateFiles.mode(url) == 0o600, "\(name)")
        }
        let newest = try String(contentsOf: file, encoding: .utf8)
        #expect(newest.contains("line 199 "))
        #expect(PrivateFiles.mode(file.deletingLastPathComponent()) == 0o700)
    }
}
