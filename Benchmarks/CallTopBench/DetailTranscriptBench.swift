import CallTopCore
import CallTopTUI
import Foundation

/// The detail view of a call whose transcript is 64 KiB without a space
/// (issue #10): scrolling it must cost a frame under 4 ms. Measured beside
/// the same view with a short transcript.
enum DetailTranscriptBench {
    static let size = TerminalSize(columns: 120, rows: 40)

    static func detailState(transcript: String) -> DashboardState {
        let sid = "CA" + String(repeating: "0", count: 31) + "1"
        let row = CallRow(callSid: sid, from: "+14155550100", to: "+442071838750", direction: "inbound", callStatus: "completed",
                          startTime: Date(timeIntervalSince1970: 1_764_252_300), durationS: 600)
        var state = DashboardState(context: DashboardContext(accountSid: SyntheticTwilio.accountSid, apiHost: "api.twilio.com", refreshSeconds: 30))
        _ = update(&state, .resize(size))
        _ = update(&state, .rowsLoaded([row]))
        _ = update(&state, .key(.enter))
        let text = AuthoritativeTranscript(source: .offline, reason: "offline transcript present", text: transcript, engine: "faster-whisper base")
        _ = update(&state, .detailLoaded(CallDetail(row: row, transcript: text)))
        return state
    }

    /// Best per-frame time (one scrolling key, then a render) over interleaved rounds.
    static func frame(_ state: inout DashboardState, frames: Int) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        for i in 0..<frames {
            _ = update(&state, .key(i % 2 == 0 ? .down : .up))
            _ = render(state, size: size, now: Date(timeIntervalSince1970: 1_764_252_300), timeZone: TimeZone(identifier: "UTC")!)
        }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(frames)
    }

    static func run(rounds: Int) {
        let unbroken = String(String(repeating: "abcdefghijklmnopqrstuvwxyz0123456789", count: 65_536 / 36 + 1).prefix(65_536))
        var long = detailState(transcript: unbroken)
        var short = detailState(transcript: "a short transcript")
        var longTimes: [Double] = [], shortTimes: [Double] = []
        for _ in 0..<rounds {
            longTimes.append(frame(&long, frames: 50))
            shortTimes.append(frame(&short, frames: 50))
        }
        BenchLine.emit("tui_detail_64k_unbroken_frame_ms", longTimes.best * 1000, "ms", goal: "<= 4", digits: 3)
        BenchLine.emit("tui_detail_64k_vs_short", longTimes.best / shortTimes.best, "ratio", goal: nil)
    }
}
