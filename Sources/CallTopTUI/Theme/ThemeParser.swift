/// Reads the small TOML subset theme files use: comments, blank lines, an
/// optional `[roles]` table header, and `role = "spec"` lines where spec is
/// `foreground [on background][, attribute]...`.
enum ThemeParser {
    static func parse(_ text: String, origin: String, base: [StyleRole: Style]) throws -> [StyleRole: Style] {
        var styles = base
        var seen: [StyleRole: Int] = [:]
        // `\r\n` is one Character in Swift, so splitting on "\n" alone would keep CRLF files in one line.
        for (offset, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let lineNumber = offset + 1
            func fail(_ message: String) -> ThemeError { ThemeError(file: origin, line: lineNumber, message: message) }

            let line = stripComment(String(rawLine)).trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line == "[roles]" { continue }
            if line.hasPrefix("[") { throw fail("unknown table \(line): a theme has only role = \"…\" lines") }
            guard let eq = line.firstIndex(of: "=") else {
                throw fail("expected role = \"colour [on colour][, attribute]…\", found \(line)")
            }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            guard let role = StyleRole(rawValue: key) else {
                throw fail("unknown style role '\(key)'; roles are: \(StyleRole.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if let first = seen[role] { throw fail("'\(key)' is already set on line \(first)") }
            seen[role] = lineNumber
            guard value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") else {
                throw fail("the value of '\(key)' must be a quoted string, like \"red on black, bold\"")
            }
            do {
                styles[role] = try parseSpec(String(value.dropFirst().dropLast()))
            } catch let error as SpecError {
                throw fail("\(key): \(error.message)")
            }
        }
        return styles
    }

    struct SpecError: Error { var message: String }

    static func parseSpec(_ spec: String) throws -> Style {
        var style = Style()
        var sawColour = false
        for rawPart in spec.split(separator: ",", omittingEmptySubsequences: false) {
            let part = rawPart.trimmingCharacters(in: .whitespaces).lowercased()
            if part.isEmpty { throw SpecError(message: "empty entry in \"\(spec)\"") }
            if let attribute = TextAttributes.names[part] {
                style.attributes.insert(attribute)
                continue
            }
            if sawColour { throw SpecError(message: "unknown attribute '\(part)'; attributes are: \(TextAttributes.names.keys.sorted().joined(separator: ", "))") }
            sawColour = true
            let words = part.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            let onIndex = words.firstIndex(of: "on")
            let fgWords = onIndex.map { Array(words[..<$0]) } ?? words
            let bgWords = onIndex.map { Array(words[($0 + 1)...]) } ?? []
            if fgWords.count > 1 || (onIndex != nil && bgWords.count != 1) {
                throw SpecError(message: "expected 'colour', 'colour on colour' or 'on colour', found '\(part)'")
            }
            if let name = fgWords.first { style.foreground = try colour(name) }
            if let name = bgWords.first { style.background = try colour(name) }
        }
        return style
    }

    private static func colour(_ name: String) throws -> ThemeColor {
        guard let colour = ThemeColor(name: name) else {
            throw SpecError(message: "unknown colour '\(name)'; use default, black, red, green, yellow, blue, magenta, cyan, white, bright_… or 0-255")
        }
        return colour
    }

    /// `#` starts a comment unless it is inside the quoted value.
    private static func stripComment(_ line: String) -> String {
        var inString = false
        for (i, ch) in zip(line.indices, line) {
            if ch == "\"" { inString.toggle() }
            if ch == "#", !inString { return String(line[..<i]) }
        }
        return line
    }
}
