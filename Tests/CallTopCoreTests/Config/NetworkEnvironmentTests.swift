import Foundation
import Testing
@testable import CallTopCore

@Suite struct NetworkEnvironmentTests {
    @Test func sslCertFileWinsOverCurlCABundle() {
        #expect(NetworkEnvironment(["SSL_CERT_FILE": "/a.pem", "CURL_CA_BUNDLE": "/b.pem"]).caBundle == .init(path: "/a.pem", variable: "SSL_CERT_FILE"))
        #expect(NetworkEnvironment(["CURL_CA_BUNDLE": "/b.pem"]).caBundle == .init(path: "/b.pem", variable: "CURL_CA_BUNDLE"))
        #expect(NetworkEnvironment(["SSL_CERT_FILE": ""]).caBundle == nil)
    }

    @Test func proxyIsChosenAsLibcurlChoosesIt() {
        let env = NetworkEnvironment(["HTTPS_PROXY": "http://proxy:3128", "NO_PROXY": "internal.example,.corp"])
        #expect(env.proxy(for: "https://api.twilio.com")?.url == "http://proxy:3128")
        #expect(env.proxy(for: "https://internal.example") == nil)
        #expect(env.proxy(for: "https://a.b.corp/x") == nil)
        #expect(env.proxy(for: "https://notcorp.com") != nil)
        // libcurl ignores upper-case HTTP_PROXY for plain http (httpoxy).
        #expect(NetworkEnvironment(["HTTP_PROXY": "http://p:1"]).proxy(for: "http://127.0.0.1:80") == nil)
        #expect(NetworkEnvironment(["https_proxy": "http://p:1", "no_proxy": "*"]).proxy(for: "https://x") == nil)
    }

    @Test func doctorNeverShowsProxyCredentials() {
        let lines = NetworkEnvironment(["https_proxy": "http://bob:hunter2@proxy:3128", "SSL_CERT_FILE": "/nonexistent.pem"])
            .doctorLines(apiBaseURL: "https://api.twilio.com")
        let text = lines.map(\.detail).joined(separator: "\n")
        #expect(!text.contains("hunter2") && text.contains("proxy:3128") && text.contains("https_proxy"))
        #expect(lines.first { $0.name == "ca bundle" }?.ok == false)
    }
}
