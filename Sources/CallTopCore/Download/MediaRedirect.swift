import Foundation

/// Where a media redirect may lead. Credentials go only back to the configured
/// host; any other host is followed only over https, without them; and never
/// more than `limit` hops. Pure, so the attempt's state machine and the plain
/// `TwilioClient.getMedia` follow the same rules.
public enum MediaRedirect {
    public static let limit = 3

    /// The next request after a 3xx `head` from `current`, the `hops`-th redirect
    /// so far counting this one; or why it is not followed.
    public static func next(after head: HTTPResponseHead, from current: String, hops: Int,
                            host: TwilioHost) -> Result<(url: String, withCredentials: Bool), TwilioError> {
        guard let location = head.location else {
            return .failure(.http(status: head.status, code: nil, message: "redirect without Location", host: host.hostName))
        }
        guard let next = TwilioHost.redirectTarget(location, from: current) else {
            return .failure(.redirectRefused("redirect to an unreadable location from \(host.hostName)"))
        }
        let onHost = host.owns(next)
        if !onHost && URLComponents(string: next)?.scheme?.lowercased() != "https" {
            let nextHost = URLComponents(string: next)?.host ?? "?"
            return .failure(.redirectRefused("redirect from \(host.hostName) to \(nextHost) refused: credentials go only to \(host.hostName), and an off-host redirect is followed only to https (without credentials)"))
        }
        guard hops <= limit else { return .failure(.redirectRefused("more than \(limit) redirects from \(host.hostName)")) }
        return .success((next, onHost))
    }

    public static func isRedirect(_ status: Int) -> Bool { (300...399).contains(status) }
}
