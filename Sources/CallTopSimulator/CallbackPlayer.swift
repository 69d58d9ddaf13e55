import Foundation

/// Plays simulated calls' callbacks to `serve` one call after the other, the
/// way Twilio would send them over a few seconds (the demo's webhooks).
public enum CallbackPlayer {
    /// Seconds between calls: the whole set takes about six seconds, a small one a quarter of a second per call.
    public static func pause(between count: Int) -> Double {
        count == 0 ? 0 : min(0.25, 6 / Double(count))
    }

    /// Returns how many callbacks `serve` refused, or nil when the task was
    /// cancelled first. `couldNotSend` hears of a call whose callbacks did not get through.
    public static func play(_ recordings: [SimulatedRecording], with sender: CallbackSender,
                            couldNotSend: (SimulatedRecording, any Error) -> Void) async -> Int? {
        let pause = pause(between: recordings.count)
        var refused = 0
        for r in recordings {
            if Task.isCancelled { return nil }
            do {
                refused += try await sender.playCall(r).filter { $0.status != 200 }.count
            } catch {
                if Task.isCancelled { return nil }
                couldNotSend(r, error)
            }
            try? await Task.sleep(for: .seconds(pause))
        }
        return refused
    }
}
