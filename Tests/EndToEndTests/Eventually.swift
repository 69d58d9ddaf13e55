import Foundation

/// Looks at `condition` every 200 ms until it holds or `seconds` have passed;
/// the processes under test move on their own clocks.
func waitFor(_ seconds: Double, _ condition: () throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        try? await Task.sleep(for: .milliseconds(200))
    }
    return try condition()
}
