import Foundation
import Testing

/// calltop behind a TLS-inspecting proxy: a private CA (made with openssl at
/// test time) in front of the simulator, a CONNECT proxy, and Twilio's
/// off-host media redirect, now to an https host. Tests/Fixtures/netlab.py
/// plays the network.
@Suite(.serialized, .enabled(if: NetLab.available, "needs /usr/bin/python3 and openssl (make setup installs them)"))
struct CorporateNetworkTests {
    @Test(.timeLimit(.minutes(3)))
    func privateCAIsRefusedWithoutSSLCertFileAndTrustedWithIt() throws {
        let lab = try NetLab()
        let sim = try SimulatorProcess(["--scenario", "redirect_offhost@0"])
        let front = try lab.front(upstreamPort: sim.port)
        var env = sim.env
        env["CALLTOP_HOME"] = NSTemporaryDirectory() + "calltop-tls-\(UUID().uuidString.prefix(8))"
        env["CALLTOP_API_BASE_URL"] = "https://localhost:\(front.ports[0])"

        let asked = Date()
        let refused = try CalltopBinary.run(["sync"], env: env)
        #expect(refused.status != 0)
        #expect(refused.stderr.lowercased().contains("certificate") || refused.stderr.contains("curl 60"), "\(refused.stderr)")
        // An untrusted certificate stays untrusted: said at once, with what to do, not after eight tries.
        #expect(refused.stderr.contains("SSL_CERT_FILE"), "\(refused.stderr)")
        #expect(Date().timeIntervalSince(asked) < 10, "the refusal took \(Date().timeIntervalSince(asked)) s")

        var trusted = env
        trusted["SSL_CERT_FILE"] = lab.caFile
        let sync = try CalltopBinary.run(["sync"], env: trusted)
        #expect(sync.status == 0, "\(sync.stderr)")

        let doctor = try CalltopBinary.run(["doctor"], env: trusted)
        #expect(doctor.stdout.contains("\(lab.caFile) (from SSL_CERT_FILE)"), "\(doctor.stdout)")
        #expect(doctor.stdout.contains("none: direct to localhost"), "\(doctor.stdout)")

        // The newest recording redirects off-host (a pre-signed https URL): followed, without credentials.
        let download = try CalltopBinary.run(["download", "--pending", "--wait", "30"], env: trusted)
        #expect(download.status == 0, "\(download.stdout)\(download.stderr)")
        let requests = front.logLines().compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let offhost = requests.filter { $0["listener"] as? String == "offhost" }
        #expect(!offhost.isEmpty, "the media redirect was not followed")
        #expect(offhost.allSatisfy { $0["auth"] as? Bool == false }, "credentials followed the off-host redirect")
        #expect(requests.filter { $0["listener"] as? String == "api" }.allSatisfy { $0["auth"] as? Bool == true })
        let list = try CalltopBinary.run(["list", "--json"], env: trusted)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(rows.first?["download_state"] as? String == "downloaded", "\(rows.first ?? [:])")

        // CURL_CA_BUNDLE works the same when SSL_CERT_FILE is not set.
        var bundle = env
        bundle["CURL_CA_BUNDLE"] = lab.caFile
        #expect(try CalltopBinary.run(["sync"], env: bundle).status == 0)
        withExtendedLifetime(sim) {}
    }

    @Test(.timeLimit(.minutes(2)))
    func httpsProxyCarriesTheTrafficAndNoProxyBypassesIt() throws {
        let lab = try NetLab()
        let sim = try SimulatorProcess()
        let front = try lab.front(upstreamPort: sim.port)
        let proxy = try lab.proxy()
        var env = sim.env
        env["CALLTOP_HOME"] = NSTemporaryDirectory() + "calltop-proxy-\(UUID().uuidString.prefix(8))"
        env["CALLTOP_API_BASE_URL"] = "https://localhost:\(front.ports[0])"
        env["SSL_CERT_FILE"] = lab.caFile
        env["HTTPS_PROXY"] = "http://proxyuser:proxypass@127.0.0.1:\(proxy.ports[0])"

        let sync = try CalltopBinary.run(["sync"], env: env)
        #expect(sync.status == 0, "\(sync.stderr)")
        #expect(proxy.logLines().contains("CONNECT localhost:\(front.ports[0])"), "\(proxy.logLines())")

        let doctor = try CalltopBinary.run(["doctor"], env: env)
        #expect(doctor.stdout.contains("127.0.0.1:\(proxy.ports[0]) for localhost (from HTTPS_PROXY)"), "\(doctor.stdout)")
        #expect(!doctor.stdout.contains("proxypass"), "doctor printed the proxy password")

        let tunnels = proxy.logLines().count
        var bypass = env
        bypass["NO_PROXY"] = "localhost"
        #expect(try CalltopBinary.run(["sync"], env: bypass).status == 0)
        #expect(proxy.logLines().count == tunnels, "NO_PROXY=localhost still went through the proxy")
        #expect(try CalltopBinary.run(["doctor"], env: bypass).stdout.contains("NO_PROXY covers localhost"))
        withExtendedLifetime(sim) {}
    }
}

/// The fixtures of Tests/Fixtures/netlab.py: certificates and background servers.
final class NetLab {
    static let script = ServeObservabilityTests.repoRoot + "/Tests/Fixtures/netlab.py"
    static let python = "/usr/bin/python3"
    static var available: Bool {
        FileManager.default.isExecutableFile(atPath: python) && FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")
    }

    let dir: String
    var caFile: String { dir + "/ca.pem" }
    private var servers: [Server] = []

    init() throws {
        dir = NSTemporaryDirectory() + "calltop-netlab-\(UUID().uuidString.prefix(8))"
        let made = try Shell.run(Self.python, [Self.script, "certs", dir])
        guard made.status == 0 else { throw Failure("netlab certs: \(made.stderr)") }
    }

    deinit { for s in servers { s.stop() } }

    struct Failure: Error, CustomStringConvertible { var description: String; init(_ d: String) { description = d } }

    final class Server {
        let process = Process()
        let ports: [Int]
        let log: String

        init(_ arguments: [String], log: String) throws {
            self.log = log
            FileManager.default.createFile(atPath: log, contents: nil)
            process.executableURL = URL(fileURLWithPath: NetLab.python)
            process.arguments = [NetLab.script] + arguments + ["--log", log]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            let ports = ListeningLine.read(out, timeout: 30).ports
            guard !ports.isEmpty else { process.terminate(); throw Failure("netlab \(arguments.first ?? "") did not start") }
            self.ports = ports
        }

        func logLines() -> [String] {
            ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }

        /// SIGKILL: a child of the test runner inherits its blocked SIGTERM.
        func stop() {
            if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        }
    }

    func front(upstreamPort: Int) throws -> Server {
        let s = try Server(["front", "--dir", dir, "--upstream", "http://127.0.0.1:\(upstreamPort)"], log: dir + "/front.log")
        servers.append(s)
        return s
    }

    func proxy() throws -> Server {
        let s = try Server(["proxy"], log: dir + "/proxy.log")
        servers.append(s)
        return s
    }
}
