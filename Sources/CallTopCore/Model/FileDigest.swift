import Crypto
import Foundation

public enum FileDigest {
    /// SHA-256 (hex) of a file, read in 1 MiB blocks; nil when it cannot be read.
    public static func sha256(of url: URL) -> String? {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return nil }
        defer { try? handle.close() }
        var hasher = SHA256()
        do {
            while let block = try handle.read(upToCount: 1 << 20), !block.isEmpty { hasher.update(data: block) }
        } catch {
            return nil
        }
        return Hex.encode(hasher.finalize())
    }
}
