import Foundation
import NIOCore

/// Real speech, so that offline transcription of a simulated recording can be scored.
public enum SimulatorAudio {
    /// Every sentence any clip speaks. Transcription tests score against these.
    public static let sentences: [String] = [
        "Thank you for calling Northwind support, how can I help you today?",
        "I would like to check the status of my order from last Tuesday.",
        "Your package left our warehouse this morning and should arrive on Friday.",
        "Thanks for your help, have a great day.",
        "Please hold the line while I transfer you to the billing team.",
        "Can you send me a copy of the invoice by email?",
        "The meeting has been moved to three o'clock on Thursday afternoon.",
        "Your appointment is confirmed for nine thirty tomorrow morning.",
    ]

    /// What one clip says. A clip with `right` is a dual-channel call: the agent
    /// (left) speaks first, then the caller (right), each on its own channel.
    public struct Clip: Sendable, Equatable {
        public var id: String
        public var left: [Int]
        public var right: [Int]?

        public var isDual: Bool { right != nil }
        /// The words in the order they are heard.
        public var transcript: String {
            (left + (right ?? [])).map { SimulatorAudio.sentences[$0] }.joined(separator: " ")
        }
    }

    public static let clips: [Clip] = [
        Clip(id: "m0", left: [0, 1]),
        Clip(id: "m1", left: [2, 3]),
        Clip(id: "m2", left: [4, 5]),
        Clip(id: "m3", left: [6, 7]),
        Clip(id: "d0", left: [0], right: [1]),
        Clip(id: "d1", left: [7], right: [5]),
    ]
    static let monoClipIndexes = clips.indices.filter { !clips[$0].isDual }
    static let dualClipIndexes = clips.indices.filter { clips[$0].isDual }

    static let agentVoice = "en-us"
    static let callerVoice = "en-us+f3"
    static let wordsPerMinute = "150"
    static let tools = ["espeak-ng", "sox", "lame"]

    /// Bumped (or the spec changes) → new file names, so stale caches are never read.
    static func cacheKey(_ clip: Clip) -> String {
        let spec = "v2|\(clip.id)|\(clip.transcript)|\(clip.left)|\(String(describing: clip.right))|\(agentVoice)|\(callerVoice)|\(wordsPerMinute)|8k|b32"
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in spec.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return "\(clip.id)-\(hex(hash, digits: 16))"
    }

    /// Loads every clip from `cacheDir`, synthesising the missing ones first.
    /// `toolDirectories` replaces the search path (tests use it to hide the tools).
    static func load(cacheDir: URL, toolDirectories: [String]? = nil) throws -> [LoadedClip] {
        try FileManager.default.createDirectory(at: cacheDir, withIntermediateDirectories: true)
        return try clips.map { try loadClip($0, cacheDir: cacheDir, toolDirectories: toolDirectories) }
    }

    private static func files(_ clip: Clip, in dir: URL) -> [String: URL] {
        let key = cacheKey(clip)
        var names = ["mono.wav", "mono.mp3"]
        if clip.isDual { names += ["stereo.wav", "stereo.mp3"] }
        return Dictionary(uniqueKeysWithValues: names.map { ($0, dir.appendingPathComponent("\(key).\($0)")) })
    }

    private static func loadClip(_ clip: Clip, cacheDir: URL, toolDirectories: [String]?) throws -> LoadedClip {
        let final = files(clip, in: cacheDir)
        if !final.values.allSatisfy({ FileManager.default.fileExists(atPath: $0.path) }) {
            try synthesise(clip, into: final, cacheDir: cacheDir, toolDirectories: toolDirectories)
        }
        func read(_ name: String) throws -> [UInt8]? {
            guard let url = final[name] else { return nil }
            return [UInt8](try Data(contentsOf: url))
        }
        let monoWav = try read("mono.wav")!
        let monoMp3 = try read("mono.mp3")!
        guard let info = WAVInfo(monoWav), info.dataBytes > 0 else {
            throw SimulatorAudioError.badClip(final["mono.wav"]!.path)
        }
        return LoadedClip(
            clip: clip,
            monoWav: ByteBuffer(bytes: monoWav),
            monoMp3: ByteBuffer(bytes: monoMp3),
            stereoWav: try read("stereo.wav").map { ByteBuffer(bytes: $0) },
            stereoMp3: try read("stereo.mp3").map { ByteBuffer(bytes: $0) },
            seconds: info.seconds,
            monoMp3SHA256: SHA256Digest.hex(monoMp3)
        )
    }

    /// Builds in a private temporary folder and renames each file into place:
    /// a reader never sees a partial file, and two processes racing both end
    /// with complete (identical) files.
    private static func synthesise(_ clip: Clip, into final: [String: URL], cacheDir: URL, toolDirectories: [String]?) throws {
        let toolPaths = try locateTools(in: toolDirectories)
        let work = cacheDir.appendingPathComponent(".tmp-\(getpid())-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        func path(_ name: String) -> String { work.appendingPathComponent(name).path }
        func run(_ tool: String, _ args: [String]) throws {
            // sox dithers with a random seed unless -R: racing processes must
            // write identical bytes, and a clip's checksum must not depend on who made it.
            try runTool(toolPaths[tool]!, tool == "sox" ? ["-R"] + args : args)
        }
        func speak(_ sentences: [Int], voice: String, to name: String) throws {
            let text = sentences.map { SimulatorAudio.sentences[$0] }.joined(separator: " ")
            try run("espeak-ng", ["-v", voice, "-s", wordsPerMinute, "-w", path("\(name).raw.wav"), text])
            try run("sox", [path("\(name).raw.wav"), "-b", "16", "-c", "1", "-e", "signed-integer", path("\(name).wav"), "rate", "8k"])
        }
        let mp3Args = ["--quiet", "--nohist", "--resample", "8", "-b", "32"]

        try speak(clip.left, voice: agentVoice, to: "left")
        if let right = clip.right {
            try speak(right, voice: callerVoice, to: "right")
            let leftSeconds = WAVInfo([UInt8](try Data(contentsOf: URL(fileURLWithPath: path("left.wav")))))?.seconds ?? 0
            // The caller answers after the agent has finished, as in a real conversation.
            try run("sox", [path("right.wav"), path("right.late.wav"), "pad", String(format: "%.3f", leftSeconds + 0.4)])
            try run("sox", ["-M", path("left.wav"), path("right.late.wav"), path("stereo.wav")])
            try run("sox", ["-m", "-v", "1", path("left.wav"), "-v", "1", path("right.late.wav"), "-b", "16", path("mono.wav")])
            try run("lame", mp3Args + ["-m", "s", path("stereo.wav"), path("stereo.mp3")])
        } else {
            try FileManager.default.moveItem(atPath: path("left.wav"), toPath: path("mono.wav"))
        }
        try run("lame", mp3Args + ["-m", "m", path("mono.wav"), path("mono.mp3")])

        for (name, destination) in final {
            if rename(path(name), destination.path) != 0 {
                throw SimulatorAudioError.cacheWrite(destination.path, String(cString: strerror(errno)))
            }
        }
    }

    private static func locateTools(in directories: [String]?) throws -> [String: String] {
        let env = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let dirs = directories ?? (env.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin", "/opt/homebrew/bin"])
        var found: [String: String] = [:]
        for tool in tools {
            found[tool] = dirs.lazy.map { "\($0)/\(tool)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        }
        let missing = tools.filter { found[$0] == nil }
        if !missing.isEmpty { throw SimulatorAudioError.missingTools(missing) }
        return found
    }

    private static func runTool(_ executable: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let tool = URL(fileURLWithPath: executable).lastPathComponent
            throw SimulatorAudioError.toolFailed(tool, process.terminationStatus, String(decoding: message, as: UTF8.self))
        }
    }
}

public enum SimulatorAudioError: Error, CustomStringConvertible, LocalizedError {
    case missingTools([String])
    case toolFailed(String, Int32, String)
    case cacheWrite(String, String)
    case badClip(String)

    public var description: String {
        switch self {
        case .missingTools(let tools):
            "the simulator needs \(tools.joined(separator: ", ")) to synthesise its audio: run `make setup` (installs espeak-ng, sox and lame)"
        case .toolFailed(let tool, let status, let stderr):
            "\(tool) failed with status \(status) while synthesising simulator audio: \(stderr.trimmingCharacters(in: .whitespacesAndNewlines))"
        case .cacheWrite(let path, let reason):
            "cannot write simulator audio to \(path): \(reason)"
        case .badClip(let path):
            "simulator audio \(path) is not a valid WAV file; delete it and retry"
        }
    }

    public var errorDescription: String? { description }
}

/// A clip's bytes in every form the media endpoints serve.
struct LoadedClip: Sendable {
    let clip: SimulatorAudio.Clip
    let monoWav: ByteBuffer
    let monoMp3: ByteBuffer
    let stereoWav: ByteBuffer?
    let stereoMp3: ByteBuffer?
    let seconds: Double
    let monoMp3SHA256: String

    /// Twilio reports whole seconds.
    var durationSeconds: Int { max(1, Int(seconds.rounded())) }
}

/// Just enough RIFF parsing to learn a clip's real length.
struct WAVInfo {
    var channels: Int
    var sampleRate: Int
    var bitsPerSample: Int
    var dataBytes: Int

    var seconds: Double {
        Double(dataBytes) / Double(max(1, sampleRate * channels * bitsPerSample / 8))
    }

    init?(_ bytes: [UInt8]) {
        func u32(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24 }
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        guard bytes.count >= 12, Array(bytes[0..<4]) == Array("RIFF".utf8), Array(bytes[8..<12]) == Array("WAVE".utf8) else {
            return nil
        }
        var offset = 12
        var channels = 0, rate = 0, bits = 0
        while offset + 8 <= bytes.count {
            let id = String(decoding: bytes[offset..<offset + 4], as: UTF8.self)
            let size = u32(offset + 4)
            if id == "fmt ", offset + 24 <= bytes.count {
                channels = u16(offset + 10)
                rate = u32(offset + 12)
                bits = u16(offset + 22)
            } else if id == "data" {
                // sox writes the real size; a streaming writer may leave 0 or 0xFFFFFFFF.
                let available = bytes.count - offset - 8
                let dataBytes = (size == 0 || size > available) ? available : size
                guard channels > 0, rate > 0, bits > 0 else { return nil }
                self.channels = channels
                self.sampleRate = rate
                self.bitsPerSample = bits
                self.dataBytes = dataBytes
                return
            }
            offset += 8 + size + (size & 1)
        }
        return nil
    }
}
