import Foundation
import Testing

/// Every fault scenario, through the real binaries: `calltop simulator
/// --scenario …@0`, then `calltop sync` and `calltop download` as a user types
/// them, with the real retry schedules. The newest call's recording is the one
/// the scenario hits; `list --json` is what we judge by.
@Suite(.serialized) struct ScenarioCommandLineTests {
    struct Expectation: Sendable, CustomStringConvertible {
        var scenario: String
        var state: String
        var attempts: ClosedRange<Int>
        var exit: Int32
        var errorContains: String?
        var description: String { scenario }
    }

    static let cases: [Expectation] = [
        .init(scenario: "not_ready=2@0", state: "downloaded", attempts: 2...3, exit: 0),
        // Two 429s are asked again through the account's gate within one attempt.
        .init(scenario: "rate_limited=2@0", state: "downloaded", attempts: 1...1, exit: 0),
        .init(scenario: "flaky=2@0", state: "downloaded", attempts: 3...3, exit: 0),
        .init(scenario: "truncated=1@0", state: "downloaded", attempts: 2...2, exit: 0),
        .init(scenario: "slow@0", state: "downloaded", attempts: 1...1, exit: 0),
        .init(scenario: "xml_error@0", state: "failed", attempts: 1...1, exit: 1, errorContains: "instead of audio"),
        .init(scenario: "redirect_offhost@0", state: "failed", attempts: 1...1, exit: 1, errorContains: "refused"),
        .init(scenario: "absent@0", state: "absent", attempts: 0...0, exit: 0),
    ]

    @Test(arguments: cases)
    func downloadEndsInTheRightStateWithTheRightFiles(_ e: Expectation) throws {
        let sim = try SimulatorProcess(["--scenario", e.scenario])
        var env = sim.env
        let home = NSTemporaryDirectory() + "calltop-scenario-\(UUID().uuidString.prefix(8))"
        env["CALLTOP_HOME"] = home
        #expect(try CalltopBinary.run(["sync"], env: env).status == 0)
        let download = try CalltopBinary.run(["download", "--wait", "60"], env: env)
        #expect(download.status == e.exit, "\(download.stdout)\(download.stderr)")

        let list = try CalltopBinary.run(["list", "--json"], env: env)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        let target = try #require(rows.first { !($0["recording_sid"] is NSNull) })
        #expect(target["download_state"] as? String == e.state)
        #expect(e.attempts.contains(target["attempts"] as? Int ?? -1), "attempts \(target["attempts"] ?? "nil")")
        if let text = e.errorContains { #expect((target["last_error"] as? String)?.contains(text) == true) }
        let callSid = try #require(target["call_sid"] as? String)
        let file = home + "/recordings/\(callSid).mp3"
        if e.state == "downloaded" {
            let size = (try FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.int64Value
            #expect(size == (target["bytes"] as? NSNumber)?.int64Value)
            #expect(size == (target["expected_bytes"] as? NSNumber)?.int64Value)
            let head = try FileHandle(forReadingFrom: URL(fileURLWithPath: file)).read(upToCount: 3) ?? Data()
            #expect(head.starts(with: Data("ID3".utf8)) || head.first == 0xFF)
        } else {
            #expect(!FileManager.default.fileExists(atPath: file))
        }
        let leftovers = ((try? FileManager.default.contentsOfDirectory(atPath: home + "/recordings")) ?? []).filter { $0.hasSuffix(".part") }
        #expect(leftovers.isEmpty)
        // Every other recording is untouched by the fault and downloaded.
        for row in rows.dropFirst() where !(row["recording_sid"] is NSNull) {
            #expect(row["download_state"] as? String == "downloaded", "\(row["call_sid"] ?? "")")
        }
    }

    @Test func manyCallsSyncEveryPage() throws {
        let sim = try SimulatorProcess(["--scenario", "many_calls=3000"])
        var env = sim.env
        env["CALLTOP_HOME"] = NSTemporaryDirectory() + "calltop-many-\(UUID().uuidString.prefix(8))"
        let sync = try CalltopBinary.run(["sync"], env: env)
        #expect(sync.status == 0 && sync.stdout.contains("synced 3000 calls"), "\(sync.stdout)\(sync.stderr)")
        let list = try CalltopBinary.run(["list", "--json"], env: env)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 3000)
        #expect(try CalltopBinary.run(["sync"], env: env).stdout.contains("(0 new)"))
    }
}
