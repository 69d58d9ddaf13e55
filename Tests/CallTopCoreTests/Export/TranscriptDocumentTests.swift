import Foundation
import Testing
@testable import CallTopCore

/// `transcript --json` and `transcribe --file --json` from Codable types,
/// byte for byte what the hand-built dictionaries printed before.
@Suite struct TranscriptDocumentTests {
    let transcript = OfflineTranscript(
        text: "Hello, \"urgent\" https://x.example/a", segments: [TranscriptSegment(start: 0, end: 1.25, text: "Hello,", channel: 1),
                                                               TranscriptSegment(start: 1.25, end: 3.0000001, text: "urgent", channel: 2)],
        language: "en", audioSHA256: String(repeating: "ab", count: 32), model: "base", modelSHA256: String(repeating: "cd", count: 32),
        settingsJSON: #"{"beam_size":5,"temperature":0,"vad":{"on":true,"ms":[250,0.5]},"name":null}"#, audioSeconds: 12.34, processingSeconds: 0.1)

    /// The dictionaries `TranscriptJSON` built, kept here as the reference.
    func reference(_ object: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
    }

    func provenance(_ t: OfflineTranscript) -> [String: Any] {
        [
            "engine": t.engine, "model": t.model, "model_sha256": t.modelSHA256, "audio_sha256": t.audioSHA256,
            "settings": (try? JSONSerialization.jsonObject(with: Data(t.settingsJSON.utf8))) ?? t.settingsJSON,
            "audio_seconds": t.audioSeconds, "processing_seconds": t.processingSeconds,
            "segments": t.segments.map { ["start": $0.start, "end": $0.end, "text": $0.text, "channel": $0.channel] },
        ]
    }

    @Test func aFileIsTheSameAsBefore() throws {
        var o = provenance(transcript)
        o["file"] = "/tmp/call.mp3"; o["text"] = transcript.text; o["chars"] = transcript.text.count; o["language"] = "en"
        #expect(try TranscriptDocument.file(transcript, path: "/tmp/call.mp3").json() == reference(o))
    }

    @Test func settingsThatAreNotJSONAreKeptAsText() throws {
        let odd = OfflineTranscript(text: "", segments: [], language: "en", audioSHA256: "", model: "tiny.en", modelSHA256: "",
                                    settingsJSON: "beam=5", audioSeconds: 3, processingSeconds: 1)
        var o = provenance(odd)
        o["file"] = "a.wav"; o["text"] = ""; o["chars"] = 0; o["language"] = "en"
        #expect(try TranscriptDocument.file(odd, path: "a.wav").json() == reference(o))
    }

    @Test func anOfflineChoiceCarriesItsProvenance() throws {
        let created = Date(timeIntervalSince1970: 1_764_000_000)
        for recordingSid in ["RE" + String(repeating: "1", count: 32), nil] {
            let offline = StoredOfflineTranscript(callSid: "CA1", recordingSid: recordingSid, transcript: transcript, createdAt: created)
            let choice = AuthoritativeTranscript(source: .offline, reason: "offline wins", text: transcript.text)
            var o: [String: Any] = ["call_sid": "CA1", "source": "offline", "reason": "offline wins", "text": transcript.text,
                                    "chars": transcript.text.count]
            o.merge(provenance(transcript)) { a, _ in a }
            o["recording_sid"] = recordingSid ?? NSNull()
            o["created_at"] = created.formatted(.iso8601)
            #expect(try TranscriptDocument.call("CA1", choice: choice, offline: offline).json() == reference(o))
        }
    }

    @Test func aRealtimeOrMissingChoiceNamesItsEngine() throws {
        let offline = StoredOfflineTranscript(callSid: "CA1", recordingSid: nil, transcript: transcript, createdAt: Date())
        for (choice, stored) in [(AuthoritativeTranscript(source: .realtime, reason: "offline pending → realtime", text: "hi", engine: "twilio"), offline),
                                 (AuthoritativeTranscript(source: .none, reason: "none available", text: ""), nil)] {
            let o: [String: Any] = ["call_sid": "CA1", "source": choice.source.rawValue, "reason": choice.reason, "text": choice.text,
                                    "chars": choice.text.count, "engine": choice.engine ?? NSNull()]
            #expect(try TranscriptDocument.call("CA1", choice: choice, offline: stored).json() == reference(o))
        }
    }
}
