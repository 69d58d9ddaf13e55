import Foundation

/// The OSC 52 "set clipboard" sequence. Only printable text is sent: a
/// control character in it could end the sequence early and reach the terminal.
enum OSC52 {
    static func sequence(_ text: String) -> String {
        let printable = String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.properties.generalCategory != .control }))
        return "\u{1B}]52;c;" + Data(printable.utf8).base64EncodedString() + "\u{07}"
    }
}
