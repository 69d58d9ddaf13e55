import ArgumentParser
import CallTopCore
import Foundation

/// A one-line error and a non-zero exit, as DESIGN.md promises for every command.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    var code: Int32 = 1
    init(_ description: String, code: Int32 = 1) { self.description = description; self.code = code }
}

/// A command whose errors all end the same way: `calltop: <one line>` on
/// stderr and the failure's exit code. Commands write `execute()`; this is
/// the one place that maps an error to the message and the code.
protocol CallTopCommand: AsyncParsableCommand {
    func execute() async throws
}

extension CallTopCommand {
    func run() async throws {
        do {
            try await execute()
        } catch {
            // A progress line left on the terminal would run into the error.
            endProgressLine()
            throw Self.failing(error)
        }
    }
}

extension ParsableCommand {
    /// Typed errors become one line on stderr and an exit code; ArgumentParser's own pass through.
    static func failing(_ error: any Error) -> any Error {
        if let failure = error as? CommandFailure {
            return ExitCode.failure(message: failure.description, code: failure.code)
        }
        if error is ExitCode || error is CleanExit { return error }
        return ExitCode.failure(message: String(describing: error), code: 1)
    }
}

extension ExitCode {
    static func failure(message: String, code: Int32) -> ExitCode {
        FileHandle.standardError.write(Data("calltop: \(SafeText.escaped(message))\n".utf8))
        return ExitCode(code)
    }
}
