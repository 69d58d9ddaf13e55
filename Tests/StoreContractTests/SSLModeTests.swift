import CallTopCore
import CallTopTestSupport
import Foundation
import Testing

/// `sslmode` as libpq means it, against the tests' cluster (which offers no TLS):
/// `prefer` falls back to a plain connection, `require` and stricter refuse with a reason.
@Suite struct SSLModeTests {
    @Test func preferConnectsWithoutTLSAndRequireRefusesToSayWhy() throws {
        let base = try ThrowawayPostgres.shared().freshDatabase().url
        var prefer = base
        prefer.sslMode = .prefer
        let store = try PostgresStore(url: prefer, dataDir: FileManager.default.temporaryDirectory)
        try store.ping()
        store.close()
        for mode in [DatabaseURL.SSLMode.require, .verifyCA, .verifyFull] {
            var strict = base
            strict.sslMode = mode
            do {
                try PostgresStore(url: strict, dataDir: FileManager.default.temporaryDirectory).close()
                Issue.record("sslmode=\(mode.rawValue) connected to a server without TLS")
            } catch let error as PostgresStoreError {
                #expect(error.description.contains("does not offer TLS") && error.description.contains(mode.rawValue), "\(error)")
            }
        }
    }
}
