import Foundation
import Testing
@testable import CallTopCore

/// serve's loop sleeps on the signal: a wake-up must end the wait at once,
/// one that came before the wait must not be lost, and the deadline must hold.
@Suite struct WakeSignalTests {
    @Test func aWakeUpDuringTheWaitEndsItAtOnce() async {
        let signal = WakeSignal()
        let seen = signal.current
        let started = Date()
        async let waited: Void = signal.wait(since: seen, until: started.addingTimeInterval(10))
        try? await Task.sleep(for: .milliseconds(50))
        signal.wake()
        await waited
        #expect(Date().timeIntervalSince(started) < 5)
    }

    @Test func aWakeUpBeforeTheWaitIsNotLost() async {
        let signal = WakeSignal()
        let seen = signal.current
        signal.wake()
        let started = Date()
        await signal.wait(since: seen, until: started.addingTimeInterval(10))
        #expect(Date().timeIntervalSince(started) < 1)
    }

    @Test func withoutAWakeUpTheWaitEndsAtTheDeadline() async {
        let signal = WakeSignal()
        let started = Date()
        await signal.wait(since: signal.current, until: started.addingTimeInterval(0.2))
        let waited = Date().timeIntervalSince(started)
        #expect(waited >= 0.19 && waited < 5)
    }

    @Test func cancellingTheWaiterEndsTheWait() async {
        let signal = WakeSignal()
        let started = Date()
        let waiter = Task { await signal.wait(since: signal.current, until: started.addingTimeInterval(10)) }
        try? await Task.sleep(for: .milliseconds(50))
        waiter.cancel()
        await waiter.value
        #expect(Date().timeIntervalSince(started) < 5)
    }
}
