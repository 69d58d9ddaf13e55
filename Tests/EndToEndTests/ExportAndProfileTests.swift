import Foundation
import Testing

@Suite(.serialized) struct ExportAndProfileTests {
    func home() -> String { NSTemporaryDirectory() + "calltop-e2e-\(UUID().uuidString.prefix(8))" }

    @Test func exportWritesOneLinePerCallInJSONLinesAndCSV() throws {
        let sim = try SimulatorProcess()
        var env = sim.env
        env["CALLTOP_HOME"] = home()
        #expect(try CalltopBinary.run(["sync"], env: env).status == 0)
        let list = try CalltopBinary.run(["list", "--json"], env: env)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        let call = try #require(rows.first?["call_sid"] as? String)
        let file = env["CALLTOP_HOME"]! + "-realtime.txt"
        try "Caller: hi, \"urgent\"\nAgent: ok".write(toFile: file, atomically: true, encoding: .utf8)
        let imported = try CalltopBinary.run(["realtime", "import", call, file], env: env)
        #expect(imported.status == 0, "\(imported.stderr)")

        let jsonl = try CalltopBinary.run(["export"], env: env)
        #expect(jsonl.status == 0, "\(jsonl.stderr)")
        let lines = jsonl.stdout.split(separator: "\n")
        #expect(lines.count == rows.count)
        let objects = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        let mine = try #require(objects.first { $0["call_sid"] as? String == call })
        #expect(mine["transcript_source"] as? String == "realtime")
        #expect(mine["transcript"] as? String == "Caller: hi, \"urgent\"\nAgent: ok")
        #expect((mine["transcript_reason"] as? String)?.isEmpty == false)
        #expect(objects.filter { $0["call_sid"] as? String != call }.allSatisfy { $0["transcript_source"] as? String == "none" })

        // CSV, read back by Python's csv module: the quoting must hold commas, quotes and newlines.
        let csv = try CalltopBinary.run(["export", "--format", "csv"], env: env)
        #expect(csv.status == 0)
        try csv.stdout.write(toFile: file + ".csv", atomically: true, encoding: .utf8)
        let parsed = try Shell.run("/usr/bin/python3", ["-c", """
            import csv, json, sys
            rows = list(csv.DictReader(open(sys.argv[1], newline='')))
            print(json.dumps(rows))
            """, file + ".csv"])
        let table = try #require(try JSONSerialization.jsonObject(with: Data(parsed.stdout.utf8)) as? [[String: String]], "\(parsed.stderr)")
        #expect(table.count == rows.count)
        #expect(table.first { $0["call_sid"] == call }?["transcript"] == "Caller: hi, \"urgent\"\nAgent: ok")

        let none = try CalltopBinary.run(["export", "--since", "2999-01-01"], env: env)
        #expect(none.status == 0 && none.stdout.isEmpty)
        let bad = try CalltopBinary.run(["export", "--format", "xml"], env: env)
        #expect(bad.status != 0 && bad.stderr.contains("jsonl or csv"))
    }

    func writeProfile(home: String, account: String, withSecret: String? = nil) throws {
        try FileManager.default.createDirectory(atPath: home + "/.twilio-cli", withIntermediateDirectories: true)
        var profile = "\"accountSid\": \"\(account)\", \"apiKey\": \"SK\(String(repeating: "e", count: 32))\""
        if let withSecret { profile += ", \"apiSecret\": \"\(withSecret)\"" }
        try "{\"profiles\": {\"sim\": {\(profile)}}, \"activeProject\": \"sim\"}"
            .write(toFile: home + "/.twilio-cli/config.json", atomically: true, encoding: .utf8)
    }

    @Test func twilioCLIProfileWinsWhenAskedForAndDoctorSaysWhereEachValueCameFrom() throws {
        let sim = try SimulatorProcess()
        let account = try #require(sim.env["TWILIO_ACCOUNT_SID"])
        let home = home()
        try writeProfile(home: home, account: account)
        let other = "AC" + String(repeating: "f", count: 32)
        var env = sim.env
        env["HOME"] = home
        env["CALLTOP_HOME"] = home + "/data"
        env["TWILIO_ACCOUNT_SID"] = other

        // --profile wins over TWILIO_ACCOUNT_SID; the file holds no secret, so the auth token comes from the environment.
        let doctor = try CalltopBinary.run(["doctor", "--profile", "sim"], env: env)
        #expect(doctor.stdout.contains("account from         Twilio CLI profile 'sim' (\(home)/.twilio-cli/config.json)"), "\(doctor.stdout)")
        #expect(doctor.stdout.contains("credentials from     environment TWILIO_AUTH_TOKEN (the profile holds no secret)"), "\(doctor.stdout)")
        #expect(doctor.stdout.contains("ok   api "), "\(doctor.stdout)")
        #expect(try CalltopBinary.run(["sync", "--profile", "sim"], env: env).status == 0)

        // Without --profile (TWILIO_PROFILE only), the environment wins: the other account is used.
        env["TWILIO_PROFILE"] = "sim"
        let envWins = try CalltopBinary.run(["doctor"], env: env)
        #expect(envWins.stdout.contains("account from         environment TWILIO_ACCOUNT_SID"), "\(envWins.stdout)")
        #expect(envWins.stdout.contains(other))

        // No secret anywhere: say so, and name the variables.
        var bare = env
        bare["TWILIO_AUTH_TOKEN"] = nil
        bare["TWILIO_ACCOUNT_SID"] = nil
        let noSecret = try CalltopBinary.run(["sync", "--profile", "sim"], env: bare)
        #expect(noSecret.status != 0)
        #expect(noSecret.stderr.contains("holds no secret") && noSecret.stderr.contains("TWILIO_API_SECRET")
                && noSecret.stderr.contains("TWILIO_AUTH_TOKEN"), "\(noSecret.stderr)")
        let missing = try CalltopBinary.run(["sync", "--profile", "nope"], env: bare)
        #expect(missing.stderr.contains("no Twilio CLI profile 'nope'") && missing.stderr.contains("sim"), "\(missing.stderr)")
    }
}
