import CallTopCore
import CallTopSimulator
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
@testable import CallTopWebhooks

/// The endpoints over real loopback HTTP, signed by the simulator's CallbackSender.
@Suite struct ReceiverHTTPTests {
    let account = SimulatorConfig.defaultAccountSid

    func completed(_ n: Int) -> [(String, String)] {
        [("AccountSid", account), ("CallSid", sid("CA", n)), ("RecordingSid", sid("RE", n)), ("RecordingStatus", "completed"),
         ("RecordingDuration", "31"), ("RecordingChannels", "1"), ("RecordingSource", "DialVerb"), ("ErrorCode", "0")]
    }

    @Test func validSignatureIsAcceptedAndQueuesTheDownload() async throws {
        let h = try await ServeHarness.start()
        defer { Task { await h.stop() } }
        let reply = try await h.sender.post("/twilio/recording-status", completed(1))
        #expect(reply.status == 200)
        let stored = try #require(try h.store.recording(sid("RE", 1)))
        #expect(stored.downloadState == .pending)
        #expect(stored.uri == "/2010-04-01/Accounts/\(account)/Recordings/\(sid("RE", 1)).json")
        #expect(try h.store.callExists(sid("CA", 1)))
        #expect(h.work.recordingSids == [sid("RE", 1)])
    }

    @Test func refusalsStoreNothing() async throws {
        let h = try await ServeHarness.start()
        defer { Task { await h.stop() } }
        var tampered = completed(2)
        let goodSignature = CallbackSender.signature(url: testPublicURL + "/twilio/recording-status", parameters: tampered, authToken: testAuthToken)
        tampered[1].1 = sid("CA", 3)
        let cases: [(String, [(String, String)], CallbackSender.Signing, String?)] = [
            ("missing signature", completed(2), .omitted, nil),
            ("wrong signature", completed(2), .custom("AAAAAAAAAAAAAAAAAAAAAAAAAAA="), nil),
            ("wrong URL", completed(2), .computed, "https://evil.example.com/twilio/recording-status"),
            ("tampered parameter", tampered, .custom(goodSignature), nil),
        ]
        for (name, params, signing, url) in cases {
            let reply = try await h.sender.post("/twilio/recording-status", params, signing: signing, signedURL: url)
            #expect(reply.status == 403, "\(name)")
            #expect(reply.body.isEmpty, "\(name): a refusal says nothing")
        }
        // Wrong auth token: a sender that signs with another token.
        let other = CallbackSender(serveURL: "http://127.0.0.1:\(h.port)", publicURL: testPublicURL, authToken: "not-the-token")
        #expect(try await other.post("/twilio/recording-status", completed(2)).status == 403)
        #expect(try await other.transcription(callSid: sid("CA", 2), transcriptionSid: sid("GT", 2), track: "inbound_track",
                                              sequenceId: 1, text: "hello").status == 403)
        #expect(try h.store.recording(sid("RE", 2)) == nil)
        #expect(try h.store.recording(sid("RE", 3)) == nil)
        #expect(try h.store.callCount() == 0)
        #expect(try h.store.realtimeTranscript(sid("CA", 2)) == nil)
        #expect(h.work.recordingSids.isEmpty)
        // Not a line per refusal: one summary for the interval.
        #expect(!h.logLines.contains { $0.contains("Refused") })
        h.server.receiver.logRefusals(force: true)
        let summary = h.logLines.filter { $0.contains("Refused") }
        #expect(summary.count == 1, "\(h.logLines)")
        #expect(summary.first?.hasPrefix("[WEBHOOK] Refused 6 unsigned or badly signed requests in the last ") == true)
        #expect(summary.first?.hasSuffix(" s (5 recording status, 1 transcription)") == true, "\(summary)")
        #expect(!h.logLines.contains { $0.contains(testAuthToken) })
    }

    @Test func invalidSidIsRejectedEvenWhenSigned() async throws {
        let h = try await ServeHarness.start()
        defer { Task { await h.stop() } }
        var params = completed(4)
        params[2].1 = "RE../../../etc/passwd"
        #expect(try await h.sender.post("/twilio/recording-status", params).status == 400)
        #expect(try h.store.callCount() == 0)
    }

    @Test func duplicatesAndOutOfOrderCallbacksAreIdempotent() async throws {
        let h = try await ServeHarness.start()
        defer { Task { await h.stop() } }
        var inProgress = completed(5)
        inProgress[3].1 = "in-progress"
        #expect(try await h.sender.post("/twilio/recording-status", inProgress).status == 200)
        #expect(try h.store.recording(sid("RE", 5))?.downloadState == .notReady)
        #expect(try await h.sender.post("/twilio/recording-status", completed(5)).status == 200)
        #expect(try await h.sender.post("/twilio/recording-status", completed(5)).status == 200)
        #expect(try await h.sender.post("/twilio/recording-status", inProgress).status == 200)  // late, out of order
        #expect(try h.store.recording(sid("RE", 5))?.downloadState == .pending)
        #expect(try h.store.recording(sid("RE", 5))?.status == "completed")

        var absent = completed(6)
        absent[3].1 = "absent"
        absent[7].1 = "16102"
        #expect(try await h.sender.post("/twilio/recording-status", absent).status == 200)
        #expect(try await h.sender.post("/twilio/recording-status", completed(6)).status == 200)
        let r6 = try #require(try h.store.recording(sid("RE", 6)))
        #expect(r6.downloadState == .absent)
        #expect(r6.lastError?.contains("16102") == true)
        var failed = completed(7)
        failed[3].1 = "failed"
        #expect(try await h.sender.post("/twilio/recording-status", failed).status == 200)
        #expect(try h.store.recording(sid("RE", 7))?.downloadState == .failed)
        // The pipeline skips duplicates itself; the receiver passes on every completed-and-pending.
        #expect(Set(h.work.recordingSids) == [sid("RE", 5)])
    }

    @Test func transcriptionSegmentsAssembleInSequenceOrder() async throws {
        let h = try await ServeHarness.start()
        defer { Task { await h.stop() } }
        let call = sid("CA", 8), gt = sid("GT", 8)
        let events: [(String, Int, String, Bool)] = [
            ("outbound_track", 2, "Thanks for calling, how can I help?", true),
            ("inbound_track", 1, "Hello.", true),
            ("inbound_track", 3, "I want to cancel", false),   // partial: ignored
            ("inbound_track", 3, "I want to cancel my order.", true),
            ("inbound_track", 1, "Hello.", true),               // retried by Twilio: ignored
        ]
        for (track, seq, text, final) in events {
            let r = try await h.sender.transcription(callSid: call, transcriptionSid: gt, track: track, sequenceId: seq, text: text, final: final)
            #expect(r.status == 200)
        }
        let stored = try #require(try h.store.realtimeTranscript(call))
        #expect(stored.origin == "twilio")
        #expect(stored.text == "Hello.\nThanks for calling, how can I help?\nI want to cancel my order.")
    }

    @Test func agentEndpointNeedsTheBearerToken() async throws {
        let h = try await ServeHarness.start(ingestToken: "s3cret-ingest")
        defer { Task { await h.stop() } }
        let call = sid("CA", 9)
        func post(_ auth: String?, _ body: String, call: String = sid("CA", 9)) async throws -> Int {
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(h.port)/v1/calls/\(call)/realtime-transcript")!)
            request.httpMethod = "POST"
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            if let auth { request.setValue(auth, forHTTPHeaderField: "Authorization") }
            request.httpBody = Data(body.utf8)
            return try await statusOf(request)
        }
        #expect(try await post(nil, #"{"transcript":"hi"}"#) == 403)
        #expect(try await post("Bearer wrong", #"{"transcript":"hi"}"#) == 403)
        #expect(try await post("Bearer s3cret-ingest", #"{"transcript":"hi"}"#, call: "CA-not-a-sid") == 400)
        #expect(try await post("Bearer s3cret-ingest", #"{"nope":1}"#) == 400)
        #expect(try h.store.realtimeTranscript(call) == nil)
        #expect(try await post("Bearer s3cret-ingest", #"{"transcript":"hello from the agent"}"#) == 200)
        #expect(try h.store.realtimeTranscript(call)?.origin == "agent")
        #expect(!h.logLines.contains { $0.contains("s3cret-ingest") })
    }

    @Test func healthzAndBodyLimit() async throws {
        let h = try await ServeHarness.start()
        defer { Task { await h.stop() } }
        #expect(try await statusOf(URLRequest(url: URL(string: "http://127.0.0.1:\(h.port)/healthz")!)) == 200)
        let huge = [("AccountSid", account), ("Padding", String(repeating: "x", count: 70 * 1024))]
        let reply = try await h.sender.post("/twilio/recording-status", huge)
        #expect(reply.status == 413)
    }
}

func statusOf(_ request: URLRequest) async throws -> Int {
    #if canImport(FoundationNetworking)
    let (_, response) = try await FoundationNetworking.URLSession.shared.data(for: request)
    #else
    let (_, response) = try await URLSession.shared.data(for: request)
    #endif
    return (response as? HTTPURLResponse)?.statusCode ?? 0
}
