import Foundation
import Testing

@testable import CallTopSimulator

@Suite struct ScenarioBehaviourTests {
    @Test func notReadyIsProcessingThenCompleted() async throws {
        try await withSimulator(try config("not_ready=2@0")) { sim in
            let target = try #require(sim.recordings().first)
            #expect(target.scenarios == [.notReady(tries: 2)])
            let untouched = try #require(sim.recordings().dropFirst().first)
            #expect(untouched.scenarios.isEmpty)

            // Listing shows the state without using up a try.
            let list = try await sim.get(sim.accountBase + "/Recordings.json?PageSize=1").json()
            #expect((list["recordings"] as? [[String: Any]])?.first?["status"] as? String == "processing")
            let meta = try await sim.get(sim.accountBase + "/Recordings/\(target.sid).json").json()
            #expect(meta["status"] as? String == "processing")
            #expect(meta["duration"] as? String == "-1")
            #expect(meta["price"] is NSNull)
            let media = try await sim.get(sim.mediaURL(target.sid))
            #expect(media.status == 404 && media.text.contains("<Code>20404</Code>"))
            #expect(sim.scenarioCount("not_ready", recordingSid: target.sid) == 2)

            let ready = try await sim.get(sim.mediaURL(target.sid))
            #expect(ready.status == 200 && ready.body.count == target.mp3Bytes)
            let after = try await sim.get(sim.accountBase + "/Recordings/\(target.sid).json").json()
            #expect(after["status"] as? String == "completed")
            #expect(after["duration"] as? String == String(target.durationSeconds))
            #expect(sim.requests().filter { $0.recordingSid == target.sid && $0.scenario == "not_ready" }.count == 2)
        }
    }

    @Test func rateLimitedAndFlakyCountPerRecording() async throws {
        try await withSimulator(try config("rate_limited=2@0", "flaky=1@1")) { sim in
            let recs = sim.recordings()
            let limited = recs[0]
            let flaky = recs[1]
            for _ in 0..<2 {
                let r = try await sim.get(sim.mediaURL(limited.sid))
                #expect(r.status == 429)
                #expect(r.text.contains("<Code>20429</Code>"))
                #expect(Int(r.headers["twilio-concurrent-requests"] ?? "") ?? 0 >= 1)
            }
            #expect(try await sim.get(sim.mediaURL(limited.sid)).status == 200)
            // Metadata requests do not use up media tries.
            #expect(try await sim.get(sim.accountBase + "/Recordings/\(flaky.sid).json").status == 200)
            let unavailable = try await sim.get(sim.mediaURL(flaky.sid, ".wav"))
            #expect(unavailable.status == 503 && unavailable.text.contains("<Code>20503</Code>"))
            #expect(try await sim.get(sim.mediaURL(flaky.sid, ".wav")).status == 200)
            #expect(try await sim.get(sim.mediaURL(recs[2].sid)).status == 200)
            let media = sim.requests().filter { $0.isMedia && $0.listener == "api" }
            #expect(media.map(\.status) == [429, 429, 200, 503, 200, 200])
        }
    }

    @Test func truncatedDropsTheConnectionMidBody() async throws {
        try await withSimulator(try config("truncated")) { sim in
            let rec = try #require(sim.recordings().first)
            let cut = try await sim.get(sim.mediaURL(rec.sid))
            #expect(cut.exitCode == 18, "curl: transfer closed with outstanding read data remaining (\(cut.stderr))")
            #expect(cut.headers["content-length"] == String(rec.mp3Bytes))
            #expect(cut.body.count < rec.mp3Bytes && cut.body.count >= rec.mp3Bytes / 2 - 1)
            let whole = try await sim.get(sim.mediaURL(rec.sid))
            #expect(whole.exitCode == 0 && whole.body.count == rec.mp3Bytes)
        }
    }

    @Test func xmlErrorComesBackAs200WithAudioContentType() async throws {
        try await withSimulator(try config("xml_error@0")) { sim in
            let rec = try #require(sim.recordings().first)
            for _ in 0..<2 {
                let r = try await sim.get(sim.mediaURL(rec.sid))
                #expect(r.status == 200)
                #expect(r.headers["content-type"] == "audio/mpeg")
                #expect(r.text.hasPrefix("<?xml") && r.text.contains("<RestException>"))
                #expect(!isMP3(r.body))
            }
        }
    }

    @Test func redirectOffhostAndCredentialsDoNotFollow() async throws {
        try await withSimulator(try config("redirect_offhost@0")) { sim in
            let rec = try #require(sim.recordings().first)
            let first = try await sim.get(sim.mediaURL(rec.sid))
            #expect(first.status == 302)
            let location = try #require(first.headers["location"])
            #expect(location.hasPrefix(sim.offhostBaseURL + "/media/\(rec.sid).mp3?"))
            #expect(sim.offhostBaseURL != sim.baseURL)

            // curl -L does not forward Basic credentials to another origin.
            let followed = try await sim.get(sim.mediaURL(rec.sid), ["-L"])
            #expect(followed.status == 200 && followed.body.count == rec.mp3Bytes && isMP3(followed.body))
            // Forwarding them anyway (what a careless client does) is visible.
            let leaked = try await sim.get(sim.mediaURL(rec.sid), ["-L", "--location-trusted"])
            #expect(leaked.status == 200)
            let offhost = sim.offhostRequests()
            #expect(offhost.map(\.hadAuthorizationHeader) == [false, true])
            #expect(offhost.allSatisfy { $0.listener == "offhost" && $0.recordingSid == rec.sid })
        }
    }

    @Test func absentRecordingsNeverBecomeAvailable() async throws {
        try await withSimulator(try config("absent@1")) { sim in
            let rec = try #require(sim.recordings().dropFirst().first)
            #expect(rec.status == "absent")
            let meta = try await sim.get(sim.accountBase + "/Recordings/\(rec.sid).json").json()
            #expect(meta["status"] as? String == "absent")
            #expect(meta["error_code"] as? Int == 16102)
            #expect(meta["duration"] as? String == "0")
            for _ in 0..<3 { #expect(try await sim.get(sim.mediaURL(rec.sid)).status == 404) }
        }
    }

    @Test func slowStreamsAtTheRequestedRate() async throws {
        try await withSimulator(try config("slow=40000@0")) { sim in
            let rec = try #require(sim.recordings().first)
            let r = try await sim.get(sim.mediaURL(rec.sid))
            #expect(r.status == 200 && r.body.count == rec.mp3Bytes)
            let expected = Double(rec.mp3Bytes) / 40_000
            #expect(r.seconds >= expected * 0.7, "took \(r.seconds)s for \(rec.mp3Bytes) bytes")
            // Generous: on 2 busy cores (the whole suite runs in parallel) scheduling adds seconds.
            #expect(r.seconds < expected * 3 + 10)
        }
    }

    @Test func demoConfigMixesTheScenarios() throws {
        let sim = TwilioSimulator(config: .demo(now: testNow))
        let recs = sim.recordings()
        #expect(recs[0].scenarios.isEmpty)
        let all = recs.flatMap(\.scenarios)
        #expect(all.filter { $0 == .notReady(tries: 2) }.count == 2)
        #expect(all.contains(.rateLimited(times: 2)) && all.contains(.xmlError) && all.contains(.absent))
        // #15: two encrypted with the primary key, one with the fallback key, one never stored (16105).
        #expect(all.filter { $0 == .encrypted(.primary) }.count == 2)
        #expect(all.contains(.encrypted(.fallback)) && all.contains(.encrypted(.unstored)))
        #expect(recs.filter { $0.scenarios.isEmpty }.count == recs.count - 9)
    }

    @Test func theEncryptedAccountMixesKeysAndServesOnlyWav() async throws {
        try await withSimulator(try config("encrypted")) { sim in
            let recs = Array(sim.recordings().prefix(16))
            let variants = recs.map { sim.encryptionVariant(ofRecording: $0.sid) }
            #expect(variants.contains(.primary) && variants.contains(.fallback) && variants.contains(.unstored))
            let keys = sim.recordingKeys()
            #expect(keys.count == 2 && keys[1].isFallback && keys.allSatisfy { $0.publicKeySid.hasPrefix("CR") && $0.publicKeySid.count == 34 })
            for (r, variant) in zip(recs, variants) {
                let meta = try await sim.get(sim.accountBase + "/Recordings/\(r.sid).json").json()
                let mp3 = try await sim.get(sim.accountBase + "/Recordings/\(r.sid).mp3")
                let wav = try await sim.get(sim.accountBase + "/Recordings/\(r.sid).wav")
                switch variant {
                case .unstored:
                    #expect(meta["status"] as? String == "failed" && meta["error_code"] as? Int == 16105)
                    #expect(meta["encryption_details"] is NSNull && wav.status == 404)
                default:
                    let details = try #require(meta["encryption_details"] as? [String: Any])
                    let key = details["public_key_sid"] as? String
                    #expect(key == keys[variant == .fallback ? 1 : 0].publicKeySid)
                    #expect(meta["error_code"] as? Int == (variant == .fallback ? 16107 : nil))
                    #expect(Data(base64Encoded: details["iv"] as? String ?? "")?.count == 12)
                    #expect(Data(base64Encoded: details["encrypted_cek"] as? String ?? "")?.count == 256)
                    #expect(mp3.status == 400 && String(decoding: mp3.body, as: UTF8.self).contains("<Code>16109</Code>"))
                    // Not a readable WAV: ciphertext, 16 bytes longer than the audio (the tag).
                    #expect(wav.status == 200 && !wav.body.starts(with: Array("RIFF".utf8)))
                    #expect(wav.body.count == (sim.plainWav(ofRecording: r.sid)?.count ?? 0) + 16)
                }
            }
        }
    }
}

@Suite struct ManyCallsTests {
    @Test func hundredThousandCallsPageLazily() async throws {
        try await withSimulator(try config("many_calls=100000")) { sim in
            let base = sim.accountBase + "/Calls.json"
            let first = try await sim.get(base + "?PageSize=100")
            #expect(first.status == 200)
            #expect(first.seconds < 2.0, "first page took \(first.seconds)s")
            let page = try first.json()
            #expect((page["calls"] as? [Any])?.count == 100)
            let next = try #require(page["next_page_uri"] as? String)
            #expect(try await sim.get(next).status == 200)

            let last = try await sim.get(base + "?PageSize=1000&Page=99")
            let lastPage = try last.json()
            #expect(last.seconds < 2.0)
            #expect((lastPage["calls"] as? [Any])?.count == 1000)
            #expect(lastPage["next_page_uri"] is NSNull)
            let oldest = try #require((lastPage["calls"] as? [[String: Any]])?.last?["sid"] as? String)
            #expect(try await sim.get(sim.accountBase + "/Calls/\(oldest).json").status == 200)

            let recordings = try await sim.get(sim.accountBase + "/Recordings.json?PageSize=50")
            #expect(recordings.status == 200 && recordings.seconds < 2.0)
            let filtered = try await sim.get(base + "?Status=canceled&PageSize=20")
            #expect(filtered.status == 200 && filtered.seconds < 2.0)
        }
    }
}
