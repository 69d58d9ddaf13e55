import Foundation
import Testing

@testable import CallTopSimulator

@Suite struct MediaTests {
    @Test func servesRealMP3AndWAVWithExactLengths() async throws {
        try await withSimulator { sim in
            let recordings = sim.recordings()
            let mono = try #require(recordings.first { $0.channels == 1 })
            let mp3 = try await sim.get(sim.mediaURL(mono.sid, ".mp3"))
            #expect(mp3.status == 200)
            #expect(mp3.headers["content-type"] == "audio/mpeg")
            #expect(mp3.headers["content-length"] == String(mp3.body.count))
            #expect(mp3.body.count == mono.mp3Bytes && mono.mp3Bytes > 5_000)
            #expect(isMP3(mp3.body))
            #expect(SHA256Digest.hex([UInt8](mp3.body)) == mono.mp3SHA256)

            for suffix in [".wav", ""] {
                let wav = try await sim.get(sim.mediaURL(mono.sid, suffix))
                #expect(wav.status == 200)
                #expect(wav.headers["content-type"] == "audio/x-wav")
                #expect(wav.headers["content-length"] == String(wav.body.count))
                #expect(wav.body.count == mono.wavBytes && isWAV(wav.body))
                let info = try #require(WAVInfo([UInt8](wav.body)))
                #expect(info.sampleRate == 8000 && info.channels == 1 && info.bitsPerSample == 16)
                #expect(Int(info.seconds.rounded()) == mono.durationSeconds, "duration matches the clip")
            }
            // The media path under the call (the per-call recording's own uri) works too.
            let underCall = try await sim.get("\(sim.accountBase)/Calls/\(mono.callSid)/Recordings/\(mono.sid).mp3")
            #expect(underCall.body.count == mono.mp3Bytes)

            // Every recording maps to a known clip whose words are public.
            for r in recordings {
                #expect(SimulatorAudio.clips.contains { $0.id == r.clipID && $0.transcript == r.transcript })
                #expect(SimulatorAudio.sentences.contains { r.transcript.hasPrefix($0) })
            }
        }
    }

    @Test func dualChannelRecordingsServeStereoOnRequest() async throws {
        try await withSimulator { sim in
            let dual = try #require(sim.recordings().first { $0.channels == 2 })
            let mixed = try await sim.get(sim.mediaURL(dual.sid, ".wav"))
            #expect(try #require(WAVInfo([UInt8](mixed.body))).channels == 1)
            let stereo = try await sim.get(sim.mediaURL(dual.sid, ".wav?RequestedChannels=2"))
            #expect(stereo.status == 200 && isWAV(stereo.body))
            #expect(try #require(WAVInfo([UInt8](stereo.body))).channels == 2)
            let stereoMP3 = try await sim.get(sim.mediaURL(dual.sid, ".mp3?RequestedChannels=2"))
            #expect(stereoMP3.status == 200 && isMP3(stereoMP3.body))
            #expect(SHA256Digest.hex([UInt8](stereoMP3.body)) != dual.mp3SHA256, "not the mixed-down file")

            let mono = try #require(sim.recordings().first { $0.channels == 1 })
            let refused = try await sim.get(sim.mediaURL(mono.sid, ".mp3?RequestedChannels=2"))
            #expect(refused.status == 400 && refused.text.contains("<Code>16113</Code>"))
        }
    }
}
