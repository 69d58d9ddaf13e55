@testable import CallTopCore
import Foundation
import Testing

/// `CALLTOP_DATABASE_URL` as calltop reads it. It may hold a password, so
/// neither what calltop prints of it nor its complaints about it ever quote it.
@Suite struct DatabaseURLTests {
    func refusal(_ text: String) -> DatabaseURL.Invalid? {
        do throws(DatabaseURL.Invalid) {
            _ = try DatabaseURL.parse(text)
            Issue.record("parsed: \(text)")
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: DatabaseURL.SSLMode.allCases)
    func everySSLModeIsRead(mode: DatabaseURL.SSLMode) throws {
        #expect(try DatabaseURL.parse("postgres://calltop@db.internal/calls?sslmode=\(mode.rawValue)").sslMode == mode)
    }

    @Test func withoutParametersTheDefaultsAreLibpqs() throws {
        let url = try DatabaseURL.parse("postgresql://calltop@db.internal/calls")
        #expect(url == DatabaseURL(user: "calltop", password: nil, host: "db.internal", port: 5432, database: "calls", sslMode: .prefer, sslRootCert: nil))
    }

    @Test func anUnknownSSLModeIsRefused() throws {
        let error = try #require(refusal("postgres://calltop@db/calls?sslmode=verify"))
        #expect(error.reason.contains("sslmode must be one of") && error.reason.contains("verify-full"))
    }

    @Test(arguments: ["postgres://calltop:pw@db:5432", "postgres://calltop:pw@db:5432/", "postgres://calltop:pw@db/a/b"])
    func aURLWithoutOneDatabaseIsRefused(text: String) throws {
        let error = try #require(refusal(text))
        #expect(error.reason.contains("database"), "\(error)")
    }

    @Test func anUnknownParameterIsRefusedByName() throws {
        let error = try #require(refusal("postgres://calltop:s3cret-pw@db/calls?sslmode=require&connect_timeout=5"))
        #expect(error.reason.contains("connect_timeout"))
        #expect(!error.description.contains("s3cret-pw"), "a complaint never quotes the URL")
    }

    @Test func aPercentEncodedPasswordIsDecoded() throws {
        let url = try DatabaseURL.parse("postgres://calltop:p%40ss%3Aw%2Fo%25rd@db.internal:6432/calls?sslmode=verify-full&sslrootcert=/etc/calltop/ca.pem")
        #expect(url.password == "p@ss:w/o%rd")
        #expect(url.port == 6432 && url.sslMode == .verifyFull && url.sslRootCert == "/etc/calltop/ca.pem")
    }

    @Test(arguments: [
        "postgres://calltop:s3cret-pw@db.internal/calls",
        "postgres://calltop:p%40ss%3Aw%2Fo%25rd@db.internal:6432/calls?sslmode=require",
        "postgres://calltop:s3cret-pw@[::1]:5433/calls?sslmode=disable",
    ])
    func theRedactedFormNeverHoldsThePassword(text: String) throws {
        let url = try DatabaseURL.parse(text)
        let password = try #require(url.password)
        #expect(!url.redacted.contains(password) && !url.redacted.contains("s3cret") && !url.redacted.contains("p%40ss"))
        #expect(url.redacted.hasPrefix("postgres://calltop:***@") && url.redacted.contains("/calls?sslmode="))
    }

    @Test func anIPv6HostIsBracketedAgain() throws {
        let url = try DatabaseURL.parse("postgres://calltop@[::1]:5433/calls")
        #expect(url.host == "::1" && url.port == 5433)
        #expect(url.redacted == "postgres://calltop@[::1]:5433/calls?sslmode=prefer" && url.endpoint == "[::1]:5433")
    }
}
