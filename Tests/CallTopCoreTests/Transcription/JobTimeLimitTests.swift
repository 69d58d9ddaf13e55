import Foundation
import Testing
@testable import CallTopCore

@Suite struct JobTimeLimitTests {
    let limit = JobTimeLimit(base: 30, perAudioSecond: 2, lookahead: 60, minBytesPerSecond: 1000)

    @Test func aClaimedHundredHoursInASmallFileIsNotBelieved() {
        // 200 KB can hold at most 200 s of audio; nothing decoded yet: one window ahead.
        let atStart = limit.seconds(claimedAudioSeconds: 360_000, decodedAudioSeconds: 0, fileBytes: 200_000, channels: 1)
        #expect(atStart == 30 + 2 * 60)
        // As audio is really decoded, the limit grows with it, up to what the size allows.
        #expect(limit.seconds(claimedAudioSeconds: 360_000, decodedAudioSeconds: 100, fileBytes: 200_000, channels: 1) == 30 + 2 * 160)
        #expect(limit.seconds(claimedAudioSeconds: 360_000, decodedAudioSeconds: 190, fileBytes: 200_000, channels: 1) == 30 + 2 * 200)
    }

    @Test func anHonestShortFileKeepsItsShortLimit() {
        #expect(limit.seconds(claimedAudioSeconds: 12, decodedAudioSeconds: 0, fileBytes: 48_000, channels: 1) == 30 + 2 * 12)
        #expect(limit.seconds(claimedAudioSeconds: 12, decodedAudioSeconds: 12, fileBytes: 48_000, channels: 2) == 30 + 4 * 12)
    }

    @Test func garbageClaimsFallBackToTheSizeBound() {
        #expect(limit.seconds(claimedAudioSeconds: .infinity, decodedAudioSeconds: 0, fileBytes: 10_000, channels: 1) == 30 + 2 * 10)
        #expect(limit.seconds(claimedAudioSeconds: -5, decodedAudioSeconds: .nan, fileBytes: 10_000, channels: 1) == 30 + 2 * 10)
        #expect(limit.seconds(claimedAudioSeconds: nil, decodedAudioSeconds: 0, fileBytes: 0, channels: 1) == 30)
    }
}
