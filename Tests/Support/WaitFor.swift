import Foundation

/// Looks at `condition` every `interval` until it holds or `seconds` have passed,
/// then once more; for processes and tasks under test that move on their own clocks.
public func waitFor(_ seconds: Double, every interval: Duration = .milliseconds(200),
                    _ condition: () throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        try? await Task.sleep(for: interval)
    }
    return try condition()
}
