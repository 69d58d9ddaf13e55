import ArgumentParser
import CallTopCore
import Foundation

/// Whether to draw progress: only for a person watching a terminal.
let stderrIsTerminal = isatty(STDERR_FILENO) == 1

func progressLine(_ text: String) {
    guard stderrIsTerminal else { return }
    FileHandle.standardError.write(Data("\r\u{1B}[2K\(text)".utf8))
}

func endProgressLine() {
    guard stderrIsTerminal else { return }
    FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
}

/// A line of command output that carries text from outside (Twilio, callers,
/// transcripts): made safe for the terminal, a newline inside it escaped.
func printSafe(_ line: String) {
    print(SafeText.escaped(line))
}

/// Arguments that name a call are checked before anything runs.
func requireCallSID(_ text: String) throws {
    guard SID.isValid(text, prefix: "CA") else { throw ValidationError("'\(text)' is not a Call SID (CA + 32 hex)") }
}
