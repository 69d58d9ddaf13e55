import CallTopCore
import Foundation

/// Colours and attributes for every style role.
///
/// Finding a theme (`--theme NAME|PATH`):
/// - a value containing `/` or ending in `.toml` is a file path;
/// - a name is looked up as `NAME.toml` in `themesDir` (`$CALLTOP_THEMES_DIR`
///   when set, else the install prefix's `share/calltop/themes`), then among the built-in themes `default`, `light` and
///   `high-contrast`, compiled in from `themes/*.toml` so a theme always exists
///   wherever the binary is copied.
/// Roles a file leaves out take their style from the built-in default.
public struct Theme: Sendable, Equatable {
    public var name: String
    public private(set) var styles: [StyleRole: Style]

    public subscript(role: StyleRole) -> Style { styles[role] ?? .plain }

    public static let builtInNames = EmbeddedThemes.sources.map(\.name)

    public static func builtIn(_ name: String) -> Theme? {
        guard let source = EmbeddedThemes.sources.first(where: { $0.name == name }) else { return nil }
        // The shipped text is tested to parse, so a failure here is a build defect.
        return try! parse(source.text, name: name, origin: "built-in theme '\(name)'")
    }

    /// The built-in default theme, parsed once.
    public static let standard: Theme = builtIn("default")!

    public static func parse(_ text: String, name: String, origin: String) throws -> Theme {
        let base = name == "default" && origin.hasPrefix("built-in") ? [:] : standard.styles
        return Theme(name: name, styles: try ThemeParser.parse(text, origin: origin, base: base))
    }

    public static func load(nameOrPath: String, themesDir: URL?) throws -> Theme {
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".toml") {
            return try loadFile(URL(fileURLWithPath: nameOrPath))
        }
        if let dir = themesDir {
            let file = dir.appendingPathComponent("\(nameOrPath).toml")
            if FileManager.default.fileExists(atPath: file.path) { return try loadFile(file) }
        }
        if let theme = builtIn(nameOrPath) { return theme }
        throw ThemeError(file: nameOrPath, line: nil, message:
            "no such theme; built-in themes are \(builtInNames.joined(separator: ", ")), or give a path to a .toml file")
    }

    private static func loadFile(_ url: URL) throws -> Theme {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw ThemeError(file: url.path, line: nil, message: "cannot read the theme file (does it exist and is it UTF-8?)")
        }
        return try parse(text, name: url.deletingPathExtension().lastPathComponent, origin: url.path)
    }

    /// `$CALLTOP_THEMES_DIR`, where user themes may shadow the built-in ones;
    /// else `<prefix>/share/calltop/themes` beside an installed `<prefix>/bin/calltop`.
    public static func themesDirectory(environment: [String: String] = ProcessInfo.processInfo.environment,
                                       executable: URL? = SpeechEnvironment.currentExecutable()) -> URL? {
        if let dir = environment["CALLTOP_THEMES_DIR"], !dir.isEmpty { return URL(fileURLWithPath: dir, isDirectory: true) }
        guard let bin = executable?.deletingLastPathComponent() else { return nil }
        let installed = bin.deletingLastPathComponent().appendingPathComponent("share/calltop/themes", isDirectory: true)
        return FileManager.default.fileExists(atPath: installed.path) ? installed : nil
    }

    /// What the command line should use for `--theme` (nil: default): finds
    /// the theme and honours `NO_COLOR`.
    public static func forCommandLine(
        _ option: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> Theme {
        let theme = try load(nameOrPath: option ?? "default", themesDir: themesDirectory(environment: environment))
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return theme.withoutColors() }
        return theme
    }

    /// NO_COLOR: attributes only. A role that stood out by its background
    /// (selection, header, badges) gets `reverse` so it still stands out.
    public func withoutColors() -> Theme {
        var copy = self
        let normalBackground = self[.normal].background
        for (role, style) in styles {
            var plain = Style(attributes: style.attributes)
            if role != .normal, style.background != normalBackground { plain.attributes.insert(.reverse) }
            copy.styles[role] = plain
        }
        return copy
    }

    public var usesColor: Bool {
        styles.values.contains { $0.foreground != .terminalDefault || $0.background != .terminalDefault }
    }
}
