import Foundation

/// Free TCP ports on 127.0.0.1, for a URL that must contain the port before
/// the server that will listen on it exists (Twilio signs the public URL).
public enum LoopbackPort {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// A port free right now (bound, read, released).
    public static func free() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "could not open a socket to find a free port (errno \(errno))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                bind(fd, sa, length) == 0 && getsockname(fd, sa, &length) == 0
            }
        }
        guard bound else { throw Failure(description: "could not find a free port on 127.0.0.1 (errno \(errno))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Starts something on a free port, picking another when `isPortTaken`
    /// says someone took the port between the look and the bind; up to `attempts` tries.
    public static func start<T>(attempts: Int = 3, isPortTaken: (any Error) -> Bool,
                                _ start: (Int) async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            let port = try free()
            do {
                return try await start(port)
            } catch let error where attempt < attempts && isPortTaken(error) {
                continue
            }
        }
    }
}
