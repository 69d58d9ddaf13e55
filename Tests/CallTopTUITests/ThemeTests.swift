import Foundation
import Testing
@testable import CallTopTUI

@Suite("themes")
struct ThemeTests {
    static let themesDir = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("themes")
    static let embeddedFile = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/CallTopTUI/Theme/EmbeddedThemes.swift")

    @Test(arguments: ["default", "light", "high-contrast"])
    func shippedThemesDefineEveryRole(name: String) throws {
        let text = try String(contentsOf: Self.themesDir.appendingPathComponent("\(name).toml"), encoding: .utf8)
        let styles = try ThemeParser.parse(text, origin: "\(name).toml", base: [:])
        let missing = StyleRole.allCases.filter { styles[$0] == nil }
        #expect(missing.isEmpty, "\(name).toml does not set \(missing.map(\.rawValue))")
        #expect(Theme.builtIn(name) != nil)
    }

    /// The binary carries copies of themes/*.toml; they must be the same text.
    @Test func embeddedCopiesEqualTheFiles() throws {
        var generated = """
        // Generated from themes/*.toml: edit those files, then run
        // CALLTOP_RECORD_THEMES=1 swift test --filter CallTopTUITests to regenerate.
        // A test fails while this copy and the files differ.
        enum EmbeddedThemes {
            static let sources: [(name: String, text: String)] = [

        """
        for name in ["default", "light", "high-contrast"] {
            let text = try String(contentsOf: Self.themesDir.appendingPathComponent("\(name).toml"), encoding: .utf8)
            generated += "        (\"\(name)\", #\"\"\"\n" + text + "\n\"\"\"#),\n"
            #expect(EmbeddedThemes.sources.first { $0.name == name }?.text == text,
                    "EmbeddedThemes.swift is out of date for \(name).toml: run CALLTOP_RECORD_THEMES=1 swift test --filter CallTopTUITests")
        }
        generated += "    ]\n}\n"
        if ProcessInfo.processInfo.environment["CALLTOP_RECORD_THEMES"] == "1" {
            try generated.write(to: Self.embeddedFile, atomically: true, encoding: .utf8)
        } else {
            #expect(try String(contentsOf: Self.embeddedFile, encoding: .utf8) == generated)
        }
    }

    @Test func specsParse() throws {
        #expect(try ThemeParser.parseSpec("red") == Style(foreground: .indexed(1)))
        #expect(try ThemeParser.parseSpec("black on bright_cyan, bold") ==
                Style(foreground: .indexed(0), background: .indexed(14), attributes: .bold))
        #expect(try ThemeParser.parseSpec("on 236, underline, reverse") ==
                Style(background: .indexed(236), attributes: [.underline, .reverse]))
        #expect(try ThemeParser.parseSpec("bold") == Style(attributes: .bold))
        #expect(try ThemeParser.parseSpec("default") == Style())
    }

    @Test func errorsNameTheFileAndLine() {
        let cases: [(String, Int, String)] = [
            ("# ok\nheader = \"red\"\nfailed = \"purpel\"\n", 3, "unknown colour 'purpel'"),
            ("header = \"red\"\n\nheadr = \"red\"\n", 3, "unknown style role 'headr'"),
            ("header = red\n", 1, "must be a quoted string"),
            ("\n\nheader \"red\"\n", 3, "expected role ="),
            ("header = \"red\"\nheader = \"blue\"\n", 2, "already set on line 1"),
            ("failed = \"red, shiny\"\n", 1, "unknown attribute 'shiny'"),
            ("failed = \"red on\"\n", 1, "expected 'colour'"),
            ("[colors]\n", 1, "unknown table"),
        ]
        for (text, line, fragment) in cases {
            do {
                _ = try Theme.parse(text, name: "broken", origin: "/tmp/broken.toml")
                Issue.record("expected an error for \(text)")
            } catch let error as ThemeError {
                #expect(error.line == line, "\(error)")
                #expect(error.description.hasPrefix("/tmp/broken.toml:\(line): "), "\(error)")
                #expect(error.message.contains(fragment), "\(error)")
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }

    @Test func commentsAndRolesTableAreAccepted() throws {
        let theme = try Theme.parse("[roles]\nfailed = \"red\" # why: visible\nlabel = \"cyan\"\n",
                                    name: "mine", origin: "mine.toml")
        #expect(theme[.failed] == Style(foreground: .indexed(1)))
        // Roles left out come from the default theme.
        #expect(theme[.header] == Theme.standard[.header])
    }

    @Test func crlfLineEndingsAreAccepted() throws {
        let theme = try Theme.parse("[roles]\r\nfailed = \"red\"\r\nlabel = \"cyan\" # note\r\n", name: "windows", origin: "windows.toml")
        #expect(theme[.failed] == Style(foreground: .indexed(1)))
        #expect(theme[.label] == Style(foreground: .indexed(6)))
    }

    @Test func loadFindsNamesPathsAndExplainsUnknownOnes() throws {
        #expect(try Theme.load(nameOrPath: "light", themesDir: nil).name == "light")
        #expect(try Theme.load(nameOrPath: "high-contrast", themesDir: Self.themesDir).name == "high-contrast")
        let path = Self.themesDir.appendingPathComponent("light.toml").path
        #expect(try Theme.load(nameOrPath: path, themesDir: nil) == Theme.builtIn("light"))
        #expect(throws: ThemeError.self) { try Theme.load(nameOrPath: "neon", themesDir: nil) }
        do {
            _ = try Theme.load(nameOrPath: "/nonexistent/x.toml", themesDir: nil)
            Issue.record("a missing file must be an error")
        } catch let error as ThemeError {
            #expect(error.file == "/nonexistent/x.toml")
        }
    }

    @Test func noColorKeepsOnlyAttributesAndKeepsSelectionVisible() throws {
        let theme = try Theme.forCommandLine(nil, environment: ["NO_COLOR": "1"])
        #expect(!theme.usesColor)
        #expect(theme[.selected].attributes.contains(.reverse))
        #expect(theme[.failed].attributes.contains(.bold))
        #expect(theme[.normal] == Style())
        #expect(try Theme.forCommandLine(nil, environment: ["NO_COLOR": ""]).usesColor)
        // High contrast: the normal background is black, so only roles that differ from it are reversed.
        let hc = try Theme.forCommandLine("high-contrast", environment: ["NO_COLOR": "1"])
        #expect(!hc[.normal].attributes.contains(.reverse))
        #expect(hc[.selected].attributes.contains(.reverse))
        #expect(!hc[.downloaded].attributes.contains(.reverse))
    }

    @Test func noColorSnapshot() throws {
        let theme = try Theme.forCommandLine(nil, environment: ["NO_COLOR": "1"])
        let names: [(TextAttributes, String)] = [(.bold, "bold"), (.dim, "dim"), (.underline, "underline"), (.reverse, "reverse"),
                                                  (.italic, "italic"), (.blink, "blink"), (.standout, "standout")]
        let lines = StyleRole.allCases.map { role in
            let attrs = names.filter { theme[role].attributes.contains($0.0) }.map(\.1)
            return "\(role.rawValue) = \(attrs.isEmpty ? "plain" : attrs.joined(separator: ", "))"
        }
        assertSnapshot(lines, named: "no-color-default-theme")
    }
}

@Suite struct InstalledThemesTests {
    @Test func anInstalledBinaryFindsThemesInItsPrefix() throws {
        let prefix = FileManager.default.temporaryDirectory.appendingPathComponent("calltop-prefix-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: prefix) }
        let themes = prefix.appendingPathComponent("share/calltop/themes")
        try FileManager.default.createDirectory(at: themes, withIntermediateDirectories: true)
        try "normal = \"red\"\n".write(to: themes.appendingPathComponent("corp.toml"), atomically: true, encoding: .utf8)
        let binary = prefix.appendingPathComponent("bin/calltop")
        let dir = try #require(Theme.themesDirectory(environment: [:], executable: binary))
        #expect(dir.standardizedFileURL.path == themes.standardizedFileURL.path)
        #expect(try Theme.load(nameOrPath: "corp", themesDir: dir).name == "corp")
        // CALLTOP_THEMES_DIR still wins; a binary without a prefix layout has no directory.
        #expect(Theme.themesDirectory(environment: ["CALLTOP_THEMES_DIR": "/x"], executable: binary)?.path == "/x")
        #expect(Theme.themesDirectory(environment: [:], executable: URL(fileURLWithPath: "/nonexistent/bin/calltop")) == nil)
    }
}
