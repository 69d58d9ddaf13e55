import Foundation
import Testing

@testable import CallTopSimulator

@Suite struct AudioCacheTests {
    /// A cache folder of our own under the system temporary directory, removed afterwards.
    private func withFreshCache(_ body: (URL) async throws -> Void) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("calltop-simulator-test-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try await body(dir)
    }

    @Test func missingToolsSayToRunMakeSetup() async throws {
        try await withFreshCache { dir in
            #expect {
                _ = try SimulatorAudio.load(cacheDir: dir, toolDirectories: ["/nonexistent"])
            } throws: { error in
                "\(error)".contains("make setup") && "\(error)".contains("espeak-ng")
            }
        }
    }

    @Test func twoLoadersRacingOnAnEmptyCacheBothGetCompleteClips() async throws {
        try await withFreshCache { dir in
            async let a = Task.detached { try SimulatorAudio.load(cacheDir: dir) }.value
            async let b = Task.detached { try SimulatorAudio.load(cacheDir: dir) }.value
            let (first, second) = try await (a, b)
            #expect(first.map(\.monoMp3SHA256) == second.map(\.monoMp3SHA256))
            let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
            #expect(!names.contains { $0.hasPrefix(".tmp") }, "no temporary files left: \(names)")
            #expect(names.count == 16)
            for clip in first {
                #expect((4...20).contains(clip.durationSeconds), "\(clip.clip.id): \(clip.seconds)s")
                let info = try #require(WAVInfo(Array(clip.monoWav.readableBytesView)))
                #expect(info.sampleRate == 8000 && info.channels == 1 && info.bitsPerSample == 16)
                if let stereo = clip.stereoWav {
                    #expect(WAVInfo(Array(stereo.readableBytesView))?.channels == 2)
                }
            }
        }
    }
}
