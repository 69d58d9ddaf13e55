import Foundation
@testable import CallTopCore

/// Shared pieces of the speech integration tests: the checkout's speech
/// environment and speech synthesised offline (espeak-ng, sox, lame).
enum SpeechTestSupport {
    /// The checkout these tests were compiled from.
    static let environment = SpeechEnvironment(root: SpeechEnvironment.sourceTree)

    static var venvPresent: Bool { environment.installationProblem() == nil }
    static let skipMessage = "speech venv absent: run `make setup` (scripts/setup-speech.sh)"

    static func tool(_ name: String) -> URL? {
        for dir in ["/usr/bin", "/usr/local/bin", "/opt/homebrew/bin"] {
            let url = URL(fileURLWithPath: dir).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return nil
    }

    static func run(_ name: String, _ args: [String]) throws {
        guard let exe = tool(name) else { throw TestToolMissing(name: name) }
        let p = Process()
        p.executableURL = exe
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw TestToolFailed(command: "\(name) \(args.joined(separator: " "))") }
    }

    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("calltop-speech-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Speaks `sentences` (with short pauses) as a 8 kHz, telephone-band,
    /// 32 kbps MP3 — what a Twilio recording looks like.
    static func speak(_ sentences: [String], in dir: URL, name: String) throws -> URL {
        var parts: [String] = []
        for (i, s) in sentences.enumerated() {
            let raw = dir.appendingPathComponent("\(name)-\(i).wav").path
            try run("espeak-ng", ["-v", "en-us", "-s", "150", "-w", raw, s])
            parts.append(raw)
        }
        let wav = dir.appendingPathComponent("\(name).wav").path
        try run("sox", parts + ["-r", "8000", wav, "gain", "-3", "sinc", "300-3400", "pad", "0.5", "0.5"])
        let mp3 = dir.appendingPathComponent("\(name).mp3")
        try run("lame", ["--quiet", "-b", "32", wav, mp3.path])
        return mp3
    }
}

struct TestToolMissing: Error, CustomStringConvertible {
    let name: String
    var description: String { "\(name) not installed: apt-get install espeak-ng sox lame (scripts/setup-speech.sh --test-tools)" }
}

struct TestToolFailed: Error { let command: String }

/// Collects values from @Sendable callbacks.
final class Collected<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [T] = []
    func append(_ item: T) { lock.lock(); items.append(item); lock.unlock() }
    var all: [T] { lock.lock(); defer { lock.unlock() }; return items }
}
