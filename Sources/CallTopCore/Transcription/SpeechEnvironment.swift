import Foundation

/// Where the speech engine lives: the repository's `speech/worker.py` and the
/// venv `scripts/setup-speech.sh` makes at `<root>/.venv` (models in
/// `<root>/.venv/models`).
///
/// The root is found by this rule, first match wins:
/// 1. `$CALLTOP_SPEECH_HOME`, taken as is (a checkout or an install prefix
///    holding `speech/` and `.venv/`);
/// 2. `<prefix>/lib/calltop` beside an installed `<prefix>/bin/calltop` (`make install`);
/// 2b. the nearest ancestor of the running executable's directory that holds
///    `speech/worker.py` (a binary in `<repo>/.build/debug/` finds `<repo>`);
/// 3. the nearest ancestor of the current directory that holds it.
/// If none holds it, the executable's own directory is used, and `check()`
/// says what is missing.
public struct SpeechEnvironment: Sendable, Equatable {
    public static let homeVariable = "CALLTOP_SPEECH_HOME"
    /// Model names the worker accepts, and their directories under `.venv/models`.
    public static let modelDirectories = ["base": "whisper-base", "tiny.en": "whisper-tiny.en"]
    public static let defaultModel = "base"

    public let root: URL

    public init(root: URL) { self.root = root.standardizedFileURL }

    public var venv: URL { root.appendingPathComponent(".venv", isDirectory: true) }
    public var python: URL { venv.appendingPathComponent("bin/python") }
    public var workerScript: URL { root.appendingPathComponent("speech/worker.py") }
    public var modelsDirectory: URL { venv.appendingPathComponent("models", isDirectory: true) }

    public func modelFile(_ name: String) -> URL? {
        guard let dir = Self.modelDirectories[name] else { return nil }
        return modelsDirectory.appendingPathComponent(dir).appendingPathComponent("model.bin")
    }

    /// Locates the root by the rule above.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment,
                              executable: URL? = Self.currentExecutable(),
                              currentDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        -> SpeechEnvironment {
        if let home = environment[homeVariable], !home.isEmpty {
            return SpeechEnvironment(root: URL(fileURLWithPath: home, isDirectory: true))
        }
        if let installed = installPrefixRoot(executable: executable) { return SpeechEnvironment(root: installed) }
        for start in [executable?.deletingLastPathComponent(), currentDirectory].compactMap({ $0 }) {
            if let found = ancestor(of: start, holding: "speech/worker.py") {
                return SpeechEnvironment(root: found)
            }
        }
        return SpeechEnvironment(root: executable?.deletingLastPathComponent() ?? currentDirectory)
    }

    static func ancestor(of start: URL, holding relativePath: String) -> URL? {
        var dir = start.standardizedFileURL
        while true {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent(relativePath).path) {
                return dir
            }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { return nil }
            dir = parent
        }
    }

    public static func currentExecutable() -> URL? {
        // /proc/self/exe resolves symlinks on Linux; Bundle covers macOS.
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: path)
        }
        return Bundle.main.executableURL?.resolvingSymlinksInPath()
    }

    // MARK: - doctor

    public struct Check: Sendable, Equatable {
        public let name: String
        public let ok: Bool
        public let detail: String
        /// One line for `calltop doctor`.
        public var line: String { "\(ok ? "ok  " : "FAIL") \(name): \(detail)" }
    }

    /// What `calltop doctor` prints for the speech engine: venv, worker, each
    /// model. File checks only; it does not start Python.
    public func check() -> [Check] {
        let fm = FileManager.default
        var checks: [Check] = []
        let fix = "run `make setup` (scripts/setup-speech.sh)"
        checks.append(fm.isExecutableFile(atPath: python.path)
            ? Check(name: "speech venv", ok: true, detail: venv.path)
            : Check(name: "speech venv", ok: false, detail: "no \(python.path): \(fix)"))
        checks.append(fm.fileExists(atPath: workerScript.path)
            ? Check(name: "speech worker", ok: true, detail: workerScript.path)
            : Check(name: "speech worker", ok: false,
                    detail: "no \(workerScript.path): set \(Self.homeVariable) to the calltop checkout"))
        for name in Self.modelDirectories.keys.sorted() {
            guard let file = modelFile(name) else { continue }
            let size = (try? fm.attributesOfItem(atPath: file.path)[.size] as? NSNumber)?.int64Value
            checks.append(size.map { Check(name: "speech model \(name)", ok: true, detail: "\(file.path) (\($0) bytes)") }
                ?? Check(name: "speech model \(name)", ok: false, detail: "no \(file.path): \(fix)"))
        }
        return checks
    }

    /// The first problem that stops the worker from running at all, if any.
    public func installationProblem() -> SpeechWorkerError? {
        let fm = FileManager.default
        if !fm.isExecutableFile(atPath: python.path) { return .notInstalled("no venv at \(venv.path)") }
        if !fm.fileExists(atPath: workerScript.path) { return .notInstalled("no worker at \(workerScript.path)") }
        return nil
    }
}
