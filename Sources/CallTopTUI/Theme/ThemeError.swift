/// A theme that cannot be used, naming the file and line to fix.
public struct ThemeError: Error, Equatable, CustomStringConvertible {
    /// The file's path, or `built-in theme 'NAME'`.
    public var file: String
    public var line: Int?
    public var message: String

    public init(file: String, line: Int?, message: String) {
        self.file = file; self.line = line; self.message = message
    }

    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }
}
