import Foundation
import Testing
@testable import CallTopCore

/// The download attempt's state machine, every path without a network: events in, actions out.
@Suite struct DownloadAttemptMachineTests {
    typealias Machine = DownloadAttemptMachine
    static let host = try! TwilioHost()
    static let sid = "RE" + String(repeating: "1", count: 32)
    static let callSid = "CA" + String(repeating: "2", count: 32)
    static let metadataURI = "/2010-04-01/Accounts/AC\(String(repeating: "3", count: 32))/Recordings/\(sid).json"
    static let mediaURL = "https://api.twilio.com" + String(metadataURI.dropLast(5)) + ".mp3"
    static let mp3 = Data("ID3".utf8) + Data(repeating: 0, count: 13)
    static let xml404 = Data("<TwilioResponse><RestException><Code>20404</Code><Message>not found</Message></RestException></TwilioResponse>".utf8)
    static let details = EncryptionDetails(type: "rsa-aes-gcm", publicKeySid: "CR" + String(repeating: "4", count: 32),
                                           encryptedCek: "cek", iv: "iv")

    func machine() -> Machine {
        Machine(sid: Self.sid, callSid: Self.callSid, metadataURI: Self.metadataURI, host: Self.host,
                timeLimit: DownloadTimeLimit())
    }

    func meta(status: String? = "completed", code: Int? = nil, channels: Int? = 1, uri: String? = metadataURI,
              duration: Int? = 60) -> TwilioRecording {
        TwilioRecording(sid: Self.sid, callSid: Self.callSid, status: status, durationS: duration, channels: channels,
                        errorCode: code, uri: uri)
    }

    func head(_ status: Int, _ headers: [String: String] = [:]) -> HTTPResponseHead {
        HTTPResponseHead(status: status, headers: headers)
    }

    func audio(length: Int? = 16) -> HTTPResponseHead {
        head(200, ["content-type": "audio/mpeg"].merging(length.map { ["content-length": String($0)] } ?? [:]) { a, _ in a })
    }

    /// A machine that has read completed metadata and asked for the media.
    func requesting(encryption: EncryptionDetails? = nil) -> Machine {
        var m = machine()
        _ = m.start(known: nil, encryption: nil)
        _ = m.metadata(.success(meta()), encryption: encryption)
        return m
    }

    func recorded(_ action: Machine.Action, sourceLocation: SourceLocation = #_sourceLocation) -> Machine.Outcome? {
        guard case .record(let outcome) = action else {
            Issue.record("expected record, got \(action)", sourceLocation: sourceLocation)
            return nil
        }
        return outcome
    }

    // MARK: The whole way

    @Test func metadataThenMediaThenCommit() throws {
        var m = machine()
        #expect(m.start(known: nil, encryption: nil) == .fetchMetadata(uri: Self.metadataURI))
        #expect(m.metadata(.success(meta(channels: 2)), encryption: nil)
                == .fetchMedia(url: Self.mediaURL + "?RequestedChannels=2", withCredentials: true))
        #expect(m.responseHead(audio()) == .openTemporaryFile)
        #expect(m.bodyPrefix(Self.mp3) == .writeChunk)
        #expect(m.bodyEnded(audio(), written: 16) == .commit)
        let file = SavedFile(relativePath: "recordings/CA.mp3", bytes: 16, sha256: "ab")
        let outcome = try #require(recorded(m.committed(.success(file), relativePath: "recordings/CA.mp3")))
        #expect(outcome == Machine.Outcome(result: .saved(bytes: 16), httpStatus: 200, twilioCode: nil, bytes: 16,
                                           expectedBytes: 16, file: file))
        let lines = m.takeNotes()
        #expect(lines.first == .info("[OFFLINE_STT] Original recording_url for \(Self.callSid): \(Self.metadataURI)"))
        #expect(lines.contains(.info("[OFFLINE_STT] Recording fetched: \(Self.sid), duration=60s")))
        #expect(lines.contains(.info("[OFFLINE_STT] Downloading recording via Twilio client: \(Self.mediaURL)?RequestedChannels=2")))
        #expect(lines.contains(.info("[OFFLINE_STT] Recording saved to disk: recordings/CA.mp3 (16 bytes)")))
        #expect(lines.last == .warning("[OFFLINE_STT] Recording too small: 16 bytes"))
        #expect(m.takeNotes().isEmpty)
    }

    @Test func chunksAreSniffedUntilTwelveBytesAreIn() {
        var m = requesting()
        _ = m.responseHead(audio(length: nil))
        #expect(m.bodyPrefix(Self.mp3.prefix(2)) == .writeChunk)
        #expect(m.bodyPrefix(Self.mp3.dropFirst(2)) == .writeChunk)
        #expect(m.bodyPrefix(Data("<html>not audio".utf8)) == .writeChunk)  // past the sniff: written as is
        #expect(m.bodyEnded(audio(length: nil), written: 31) == .commit)
    }

    @Test func freshMetadataSkipsTheMetadataGET() {
        var m = machine()
        #expect(m.start(known: meta(), encryption: nil) == .fetchMedia(url: Self.mediaURL, withCredentials: true))
        #expect(m.takeNotes().contains(.info("[OFFLINE_STT] Recording known from sync: \(Self.sid), duration=60s")))
        #expect(m.mediaTimeLimit == DownloadTimeLimit().seconds(durationS: 60, channels: 1))
    }

    @Test func anEncryptedRecordingIsFetchedAsWavAndNotSniffed() {
        var m = machine()
        _ = m.start(known: nil, encryption: nil)
        #expect(m.metadata(.success(meta(channels: 2)), encryption: Self.details)
                == .fetchMedia(url: String(Self.mediaURL.dropLast(4)) + ".wav?RequestedChannels=2", withCredentials: true))
        #expect(m.encryption == Self.details)
        _ = m.responseHead(head(200, ["content-type": "audio/x-wav", "content-length": "16"]))
        #expect(m.bodyPrefix(Data(repeating: 0x5A, count: 16)) == .writeChunk)
        #expect(m.bodyEnded(head(200, ["content-type": "audio/x-wav", "content-length": "16"]), written: 16) == .commit)
    }

    // MARK: Twilio's status

    @Test(arguments: [
        ("absent", 16102, AttemptResult.absent(code: 16102)),
        ("absent", nil, .absent(code: nil)),
        ("deleted", nil, .deleted),
        ("failed", 16105, .absent(code: 16105)),
        ("failed", 16109, .undecryptable("Twilio says the recording failed (16109: an encrypted recording exists only as .wav)")),
        ("processing", nil, .notReady(status: "processing")),
        ("in-progress", nil, .notReady(status: "in-progress")),
        ("something-new", nil, .notReady(status: "something-new")),
    ] as [(String, Int?, AttemptResult)])
    func metadataStatusEndsTheAttempt(status: String, code: Int?, result: AttemptResult) throws {
        var m = machine()
        _ = m.start(known: nil, encryption: nil)
        let outcome = try #require(recorded(m.metadata(.success(meta(status: status, code: code)), encryption: nil)))
        #expect(outcome.result == result && outcome.httpStatus == 200 && outcome.bytes == 0 && outcome.file == nil)
    }

    @Test func aFailedMetadataGETIsClassified() throws {
        var m = machine()
        _ = m.start(known: nil, encryption: nil)
        let http = try #require(recorded(m.metadata(.failure(.http(status: 404, code: 20404, message: "gone", host: "api.twilio.com")),
                                                    encryption: nil)))
        #expect(http.result == .http(status: 404, code: 20404, message: "gone") && http.httpStatus == 404 && http.twilioCode == 20404)
        #expect(m.takeNotes().contains(.warning("[OFFLINE_STT] Failed to fetch recording \(Self.sid)")))

        for (error, result) in [(TwilioError.transport(.network("reset"), host: "h"), AttemptResult.transport(.network("reset"))),
                                (.decoding("bad"), .notAudio("an unreadable document (bad)")),
                                (.redirectRefused("no"), .redirectRefused("no"))] {
            var again = machine()
            _ = again.start(known: nil, encryption: nil)
            let outcome = try #require(recorded(again.metadata(.failure(error), encryption: nil)))
            #expect(outcome.result == result && outcome.httpStatus == nil)
        }
    }

    @Test func aMalformedUriIsNotRetried() throws {
        var m = machine()
        _ = m.start(known: nil, encryption: nil)
        let outcome = try #require(recorded(m.metadata(.success(meta(uri: "not a path")), encryption: nil)))
        guard case .local(let why) = outcome.result else { Issue.record("\(outcome)"); return }
        #expect(why.contains("malformed uri") && why.contains("api.twilio.com"))
    }

    // MARK: Skipped metadata and a non-200

    @Test func aNon200AfterSkippedMetadataAsksTheMetadata() throws {
        var m = machine()
        _ = m.start(known: meta(), encryption: nil)
        #expect(m.responseHead(head(404, ["content-type": "application/xml"])) == .keepReading)
        #expect(m.bodyPrefix(Self.xml404) == .keepReading)
        #expect(m.bodyEnded(head(404), written: 0) == .fetchMetadata(uri: Self.metadataURI))
        let outcome = try #require(recorded(m.metadata(.success(meta()), encryption: nil)))
        // Still completed: the media's 404 stands, with its status and code.
        #expect(outcome.result == .http(status: 404, code: 20404, message: "not found"))
        #expect(outcome.httpStatus == 404 && outcome.twilioCode == 20404 && outcome.bytes == Int64(Self.xml404.count))
    }

    @Test func theMetadataSaysWhatTheNon200Means() throws {
        var m = machine()
        _ = m.start(known: meta(), encryption: nil)
        _ = m.responseHead(head(404))
        #expect(m.bodyEnded(head(404), written: 0) == .fetchMetadata(uri: Self.metadataURI))
        let outcome = try #require(recorded(m.metadata(.success(meta(status: "absent", code: 16101)), encryption: nil)))
        #expect(outcome.result == .absent(code: 16101) && outcome.httpStatus == 200)
    }

    @Test func aTransportFailureAfterSkippedMetadataIsFinal() throws {
        var m = machine()
        _ = m.start(known: meta(), encryption: nil)
        let outcome = try #require(recorded(m.transportFailed(.transport(.network("reset"), host: "api.twilio.com"), written: 0)))
        #expect(outcome.result == .transport(.network("reset")))
    }

    @Test func aNon200WithFetchedMetadataIsFinal() throws {
        var m = requesting()
        _ = m.responseHead(head(503, ["content-type": "application/json"]))
        #expect(m.bodyPrefix(Data(#"{"code": 20503, "message": "busy"}"#.utf8)) == .keepReading)
        let outcome = try #require(recorded(m.bodyEnded(head(503, ["content-length": "34"]), written: 0)))
        #expect(outcome.result == .http(status: 503, code: 20503, message: "busy"))
        #expect(outcome.httpStatus == 503 && outcome.twilioCode == 20503 && outcome.expectedBytes == 34)
        #expect(m.takeNotes().contains(.warning("[OFFLINE_STT] Download failed with status 503")))
    }

    @Test func anErrorBodyIsKeptOnlyToItsLimit() throws {
        var m = requesting()
        _ = m.responseHead(head(404))
        #expect(m.bodyPrefix(Data(repeating: 0x20, count: Machine.errorBodyLimit - 1)) == .keepReading)
        #expect(m.bodyPrefix(Data(repeating: 0x20, count: 10)) == .abort(nil))
        // Cut short on purpose: still that status.
        let outcome = try #require(recorded(m.transportFailed(.transport(.aborted("callback"), host: "h"), written: 0)))
        #expect(outcome.result == .http(status: 404, code: nil, message: nil) && outcome.bytes == Int64(Machine.errorBodyLimit))
    }

    // MARK: Is it audio, and whole

    @Test func aTwoHundredErrorDocumentIsNotAudio() throws {
        var m = requesting()
        #expect(m.responseHead(head(200, ["content-type": "text/xml"])) == .keepReading)
        _ = m.bodyPrefix(Self.xml404)
        let outcome = try #require(recorded(m.bodyEnded(head(200, ["content-type": "text/xml"]), written: 0)))
        #expect(outcome.result == .notAudio("an error document (Twilio 20404: not found)") && outcome.twilioCode == 20404)
    }

    @Test func aBodyThatIsNotAudioStopsTheTransfer() throws {
        var m = requesting()
        _ = m.responseHead(audio(length: 100))
        let html = Data("<html><body>oops</body></html>".utf8)
        let why = AttemptResult.notAudio("a audio/mpeg body starting \"<html><body>oops\"")
        #expect(m.bodyPrefix(html) == .abort(why))
        #expect(m.bodyPrefix(html) == .abort(why))
        let outcome = try #require(recorded(m.transportFailed(.transport(.aborted("callback"), host: "h"), written: 0)))
        #expect(outcome.result == why && outcome.httpStatus == 200 && outcome.bytes == Int64(html.count))
    }

    @Test func anEmptyBodyIsNotAudio() throws {
        var m = requesting()
        let outcome = try #require(recorded(m.bodyEnded(audio(length: 0), written: 0)))
        #expect(outcome.result == .notAudio("an empty body") && outcome.httpStatus == 200)
    }

    @Test func aShortBodyIsTruncated() throws {
        var m = requesting()
        _ = m.responseHead(audio(length: 100))
        _ = m.bodyPrefix(Self.mp3)
        let outcome = try #require(recorded(m.bodyEnded(audio(length: 100), written: 16)))
        #expect(outcome.result == .transport(.truncated(received: 16, expected: 100)) && outcome.expectedBytes == 100)
    }

    @Test func aWriterFailureStopsTheTransferWithItsReason() throws {
        var m = requesting()
        _ = m.responseHead(audio())
        let full = AttemptResult.diskFull(freeBytes: 0, directory: "/data/recordings")
        #expect(m.writeFailed(full) == .abort(full))
        #expect(m.bodyPrefix(Self.mp3) == .abort(full))
        let outcome = try #require(recorded(m.transportFailed(.transport(.aborted("callback"), host: "h"), written: 0)))
        #expect(outcome.result == full)
        #expect(m.takeNotes().last == .warning("[OFFLINE_STT] Download failed: \(full)"))
    }

    @Test func aTimeoutSaysTheLimit() throws {
        var m = requesting()
        _ = m.responseHead(audio(length: 1000))
        _ = m.bodyPrefix(Self.mp3)
        let outcome = try #require(recorded(m.transportFailed(.transport(.timedOut("curl"), host: "h"), written: 16)))
        let limit = Int(DownloadTimeLimit().seconds(durationS: 60, channels: 1))
        #expect(outcome.result == .transport(.timedOut("the download took longer than its \(limit) s limit (16 bytes received)")))
    }

    @Test func noWriterMeansNothingIsFetched() throws {
        var m = requesting(encryption: Self.details)
        let outcome = try #require(recorded(m.mediaUnwritable(.undecryptable("no key"))))
        #expect(outcome.result == .undecryptable("no key") && outcome.httpStatus == 200)
    }

    @Test func aFailedCommitIsRecorded() throws {
        var m = requesting()
        _ = m.responseHead(audio())
        _ = m.bodyPrefix(Self.mp3)
        #expect(m.bodyEnded(audio(), written: 16) == .commit)
        let outcome = try #require(recorded(m.committed(.failure(.local("fsync failed")), relativePath: "r")))
        #expect(outcome.result == .local("fsync failed") && outcome.file == nil)
    }

    // MARK: Redirects

    @Test func redirectsCarryCredentialsOnlyToTheConfiguredHost() throws {
        var m = requesting()
        let storage = "https://media.example.com/RE1.mp3?sig=x"
        #expect(m.redirect(head(302, ["location": storage])) == .followRedirect(url: storage, withCredentials: false))
        #expect(m.redirect(head(307, ["location": Self.mediaURL])) == .followRedirect(url: Self.mediaURL, withCredentials: true))
        #expect(m.redirect(head(302, ["location": "/relative.mp3"]))
                == .followRedirect(url: "https://api.twilio.com/relative.mp3", withCredentials: true))
        let outcome = try #require(recorded(m.redirect(head(302, ["location": storage]))))
        #expect(outcome.result == .redirectRefused("more than 3 redirects from api.twilio.com"))
    }

    @Test func aPlainHTTPOffHostRedirectIsRefused() throws {
        var m = requesting()
        let outcome = try #require(recorded(m.redirect(head(302, ["location": "http://media.example.com/RE1.mp3"]))))
        guard case .redirectRefused(let why) = outcome.result else { Issue.record("\(outcome)"); return }
        #expect(why.contains("media.example.com") && why.contains("only to https") && outcome.httpStatus == nil)
    }

    @Test func aRedirectWithoutLocationIsThatStatus() throws {
        var m = requesting()
        let outcome = try #require(recorded(m.redirect(head(302))))
        #expect(outcome.result == .http(status: 302, code: nil, message: "redirect without Location") && outcome.httpStatus == 302)

        var known = machine()
        _ = known.start(known: meta(), encryption: nil)
        #expect(known.redirect(head(302)) == .fetchMetadata(uri: Self.metadataURI))
    }

    @Test func theFinalHeadAfterRedirectsIsTheOneJudged() {
        var m = requesting()
        _ = m.redirect(head(302, ["location": "https://media.example.com/a.mp3"]))
        #expect(m.responseHead(audio()) == .openTemporaryFile)
        #expect(m.bodyPrefix(Self.mp3) == .writeChunk)
        #expect(m.bodyEnded(audio(), written: 16) == .commit)
    }

    // MARK: Events out of order

    @Test func eventsOutOfOrderEndTheAttemptInsteadOfCrashing() throws {
        var idle = machine()
        let outcome = try #require(recorded(idle.bodyPrefix(Self.mp3)))
        guard case .local = outcome.result else { Issue.record("\(outcome)"); return }
        guard case .abort(.some(.local)) = idle.responseHead(audio()) else { Issue.record("a finished attempt takes no events"); return }

        var fetching = machine()
        _ = fetching.start(known: nil, encryption: nil)
        #expect(recorded(fetching.redirect(head(302, ["location": Self.mediaURL]))) != nil)
    }
}

@Suite struct RecordingStatusVerdictTests {
    @Test(arguments: [
        ("completed", nil, DownloadState.pending),
        (nil, nil, .pending),
        ("processing", nil, .notReady),
        ("in-progress", nil, .notReady),
        ("paused", nil, .notReady),
        ("stopped", nil, .notReady),
        ("absent", 16102, .absent),
        ("deleted", nil, .failed),
        ("failed", 16105, .absent),
        ("failed", 16109, .failed),
        ("failed", nil, .failed),
    ] as [(String?, Int?, DownloadState)])
    func statusAndCodeGiveTheState(status: String?, code: Int?, state: DownloadState) {
        let verdict = RecordingStatusVerdict(status: status, errorCode: code)
        #expect(verdict.state == state)
        #expect(verdict.isFinal == (state == .absent || state == .failed))
        #expect((verdict.reason == nil) == !verdict.isFinal)
        #expect((verdict.result == nil) == (state == .pending))
    }

    @Test func theReasonsAreTheOnesThePolicyGives() {
        let policy = DownloadPolicy(hostName: "api.twilio.com")
        var memory = RetryMemory()
        for (status, code) in [("absent", 16101), ("absent", 16102), ("absent", 99999), ("failed", 16105), ("deleted", 0)] as [(String, Int?)] {
            let verdict = RecordingStatusVerdict(status: status, errorCode: code)
            let decision = policy.decide(verdict.result!, memory: &memory, now: Date(), jitter: 0)
            #expect(decision.state == verdict.state && RecordingDownloader.errorText(decision) == verdict.reason)
        }
        #expect(RecordingStatusVerdict(status: "absent", errorCode: 16102).reason == "Twilio says the recording is absent (16102: silent)")
        #expect(RecordingStatusVerdict(status: "absent", errorCode: nil).reason == "Twilio says the recording is absent")
        #expect(RecordingStatusVerdict(status: "failed", errorCode: 16105).reason
                == "Twilio says the recording is absent (16105: not stored: the account had no valid public key for Voice Recording Encryption)")
        #expect(RecordingStatusVerdict(status: "deleted", errorCode: nil).reason == "the recording was deleted on Twilio")
        #expect(RecordingStatusVerdict(status: "failed", errorCode: 12345).reason == "Twilio says the recording failed (12345)")
    }
}

@Suite struct MediaRedirectTests {
    let host = try! TwilioHost()
    let from = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1.mp3"

    func next(_ location: String?, hops: Int = 1) -> Result<(url: String, withCredentials: Bool), TwilioError> {
        MediaRedirect.next(after: HTTPResponseHead(status: 302, headers: location.map { ["location": $0] } ?? [:]),
                           from: from, hops: hops, host: host)
    }

    @Test func rules() throws {
        let onHost = try next("https://api.twilio.com/x.mp3").get()
        #expect(onHost.url == "https://api.twilio.com/x.mp3" && onHost.withCredentials)
        let offHost = try next("https://s3.example.com/x.mp3").get()
        #expect(offHost.url == "https://s3.example.com/x.mp3" && !offHost.withCredentials)
        #expect(try next("https://api.twilio.com/x.mp3", hops: 3).get().withCredentials)
        #expect(throws: TwilioError.redirectRefused("more than 3 redirects from api.twilio.com")) { _ = try next("https://api.twilio.com/x", hops: 4).get() }
        #expect(throws: TwilioError.http(status: 302, code: nil, message: "redirect without Location", host: "api.twilio.com")) { _ = try next(nil).get() }
        // Credentials never leave over plain http, not even to the same host name on another scheme.
        #expect { _ = try next("http://api.twilio.com/x.mp3").get() } throws: { "\($0)".contains("refused") }
        #expect { _ = try next("http://s3.example.com/x.mp3").get() } throws: { "\($0)".contains("refused") }
        #expect(MediaRedirect.isRedirect(301) && MediaRedirect.isRedirect(308) && !MediaRedirect.isRedirect(200) && !MediaRedirect.isRedirect(404))
    }
}
