import Foundation

/// A failed Twilio request, with a message that says what to do. Never holds credentials.
public enum TwilioError: Error, Equatable, CustomStringConvertible, Sendable {
    case http(status: Int, code: Int?, message: String?, host: String)
    case transport(TransportError, host: String)
    case decoding(String)
    case redirectRefused(String)

    public var description: String {
        switch self {
        case let .http(status, code, message, host):
            var text = "HTTP \(status)" + (code.map { " (\($0))" } ?? "") + " from \(host)"
            if let message, !message.isEmpty { text += ": \(message)" }
            if status == 401 || status == 403 {
                text += " — check TWILIO_REGION/TWILIO_EDGE (credentials are per region) and the credential type"
            } else if status == 404 {
                text += " — check TWILIO_REGION/TWILIO_EDGE and the SID"
            }
            return text
        case let .transport(error, host):
            return "\(host): \(error)"
        case .decoding(let m):
            return "unexpected answer from Twilio: \(m)"
        case .redirectRefused(let m):
            return m
        }
    }

    public var httpStatus: Int? {
        if case let .http(status, _, _, _) = self { return status }
        return nil
    }
}
