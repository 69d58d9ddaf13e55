import Foundation

/// Where the speech engine lives: `speech/worker.py` and the venv
/// `scripts/setup-speech.sh` makes at `<root>/.venv` (models in
/// `<root>/.venv/models`).
///
/// The worker runs with the user's privileges, so only places the user (or
/// the installer) chose are searched, first match wins:
/// 1. `$CALLTOP_SPEECH_HOME`, taken as is;
/// 2. `<prefix>/lib/calltop` for a binary installed as `<prefix>/bin/calltop`;
/// 3. the source tree this binary was built from (development).
/// Never the current directory or its parents: running calltop from a
/// downloaded folder must not run that folder's Python. If none holds a
/// worker, the last candidate is used and `check()` says what is missing.
/// `installationProblem()` also refuses a tree that other users can write to.
public struct SpeechEnvironment: Sendable, Equatable {
    public static let homeVariable = "CALLTOP_SPEECH_HOME"
    /// Model names the worker accepts, and their directories under `.venv/models`.
    public static let modelDirectories = ["base": "whisper-base", "tiny.en": "whisper-tiny.en"]
    public static let defaultModel = "base"
    /// The checkout this file was compiled in: Sources/CallTopCore/Transcription/ → the root.
    public static let sourceTree = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

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

    /// The places searched, in order (see the type's comment).
    public static func candidates(environment: [String: String] = ProcessInfo.processInfo.environment,
                                  executable: URL? = Self.currentExecutable(),
                                  sourceTree: URL = Self.sourceTree) -> [URL] {
        if let home = environment[homeVariable], !home.isEmpty {
            return [URL(fileURLWithPath: home, isDirectory: true)]
        }
        var out: [URL] = []
        if let bin = executable?.deletingLastPathComponent(), bin.lastPathComponent == "bin" {
            out.append(bin.deletingLastPathComponent().appendingPathComponent("lib/calltop", isDirectory: true))
        }
        out.append(sourceTree)
        return out
    }

    /// Locates the root by the rule above. `$CALLTOP_SPEECH_HOME` is used even when it
    /// holds nothing, so a wrong setting is reported rather than silently passed over.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment,
                              executable: URL? = Self.currentExecutable(),
                              sourceTree: URL = Self.sourceTree) -> SpeechEnvironment {
        let places = candidates(environment: environment, executable: executable, sourceTree: sourceTree)
        let found = places.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("speech/worker.py").path) }
        return SpeechEnvironment(root: found ?? places.last!)
    }

    /// The worker's whole environment: what Python and the models need, never a
    /// credential (the parent's environment holds TWILIO_AUTH_TOKEN and friends).
    public static let passedVariables = ["PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "CALLTOP_SPEECH_LOG"]

    public static func workerEnvironment(from parent: [String: String] = ProcessInfo.processInfo.environment) -> [String: String] {
        var env: [String: String] = [:]
        for key in passedVariables { if let value = parent[key] { env[key] = value } }
        if env["PATH"] == nil { env["PATH"] = "/usr/bin:/bin" }
        env["HF_HUB_OFFLINE"] = "1"        // never reach for a model hub
        env["PYTHONUNBUFFERED"] = "1"
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env["PYTHONNOUSERSITE"] = "1"      // no ~/.local site-packages in the worker
        return env
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
        if let unsafe = TrustedPath.firstUntrusted(trustedPaths) {
            checks.append(Check(name: "speech trust", ok: false, detail: SpeechWorkerError.untrusted(unsafe).description))
        }
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
        if let unsafe = TrustedPath.firstUntrusted(trustedPaths) { return .untrusted(unsafe) }
        return nil
    }

    /// What must be writable only by us (or root): the code that runs and the folders that hold it.
    var trustedPaths: [URL] {
        [root, root.appendingPathComponent("speech"), workerScript, root.appendingPathComponent("speech/calltop_stt"),
         venv, venv.appendingPathComponent("bin"), python]
    }
}
