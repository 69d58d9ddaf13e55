import CallTopCore
import Foundation
import Testing
@testable import CallTopTUI

@Suite("the detail view wraps a transcript once, not per frame", .serialized)
struct DetailTranscriptCostTests {
    /// The detail view of a call whose transcript is 64 KiB without a single space.
    private func openDetail(transcript: String, size: TerminalSize) -> DashboardState {
        var state = Fixture.state(size: size)
        let row = state.rows[2]
        _ = update(&state, .key(.character("j")))
        _ = update(&state, .key(.character("j")))
        _ = update(&state, .key(.enter))
        var detail = Fixture.detail(for: row)
        detail.transcript = AuthoritativeTranscript(source: .offline, reason: "offline transcript present (authoritative)",
                                                    text: transcript, engine: "faster-whisper base", createdAt: Fixture.now)
        _ = update(&state, .detailLoaded(detail))
        return state
    }

    @Test func scrollingA64KiBUnbrokenTranscriptTakesUnder4msAFrame() {
        let size = TerminalSize(columns: 120, rows: 40)
        let text = String(repeating: "abcdefghijklmnopqrstuvwxyz0123456789", count: 65_536 / 36 + 1).prefix(65_536)
        var state = openDetail(transcript: String(text), size: size)
        guard case .detail = state.mode else {
            Issue.record("the detail view did not open: \(state.mode)")
            return
        }
        // The whole transcript is there, hard-cut at the width.
        let width = DetailContent.transcriptWidth(columns: size.columns)
        #expect(state.wrappedTranscript.lines.count == (65_536 + width - 1) / width)
        #expect(state.wrappedTranscript.lines.joined() == String(text))

        // Frames of the same detail view with a short transcript, measured side by side (best of
        // interleaved rounds: the machine is shared).
        var short = openDetail(transcript: "a short one", size: size)
        var best = (long: Duration.seconds(1000), short: Duration.seconds(1000))
        for _ in 0..<5 {
            best.long = min(best.long, frameTime(&state, size: size, frames: 40))
            best.short = min(best.short, frameTime(&short, size: size, frames: 40))
        }
        let ratio = best.long / best.short
        print("detail view 120x40, key + render per frame: 64 KiB unbroken transcript \(best.long), short transcript \(best.short), ratio \(ratio)")
        #if DEBUG
        // Debug builds draw any detail frame in milliseconds; what must hold is that the transcript adds little.
        #expect(ratio < 2, "a frame with a 64 KiB transcript took \(ratio)× one with a short transcript")
        #else
        #expect(best.long < .milliseconds(4), "a frame took \(best.long)")
        #endif
    }

    /// Mean time of a frame: one scrolling key, then the whole screen rendered.
    private func frameTime(_ state: inout DashboardState, size: TerminalSize, frames: Int) -> Duration {
        let clock = ContinuousClock()
        let total = clock.measure {
            for i in 0..<frames {
                _ = update(&state, .key(i % 2 == 0 ? .down : .up))
                let buffer = render(state, size: size, now: Fixture.now, timeZone: Fixture.utc)
                precondition(buffer.size == size)
            }
        }
        return total / frames
    }

    @Test func theWrapFollowsTheWidthAndTheTranscript() {
        var state = openDetail(transcript: String(repeating: "x", count: 500), size: TerminalSize(columns: 60, rows: 20))
        #expect(state.wrappedTranscript.width == 56)
        _ = update(&state, .resize(TerminalSize(columns: 100, rows: 20)))
        #expect(state.wrappedTranscript.width == 96)
        #expect(state.wrappedTranscript.lines.first?.count == 96)
        _ = update(&state, .key(.character("G")))  // the transcript is at the end
        let screen = render(state, size: TerminalSize(columns: 100, rows: 20), now: Fixture.now, timeZone: Fixture.utc).lines()
        #expect(screen.contains { $0 == "    " + String(repeating: "x", count: 96) })
    }

    @Test func wrappingIsLinearInTheLengthOfAWord() {
        let clock = ContinuousClock()
        var short = Duration.seconds(1000), long = Duration.seconds(1000)
        for _ in 0..<3 {
            short = min(short, clock.measure { _ = TextFit.wrap(String(repeating: "y", count: 16_384), width: 80) })
            long = min(long, clock.measure { _ = TextFit.wrap(String(repeating: "y", count: 131_072), width: 80) })
        }
        print("wrap 16 KiB word: \(short), 128 KiB word: \(long)")
        // 8× the text: linear is ~8× (more on a busy machine), the old quadratic cut was ~64×.
        #expect(long < short * 32, "wrapping 8× the text took \(long / short)×")
    }
}
