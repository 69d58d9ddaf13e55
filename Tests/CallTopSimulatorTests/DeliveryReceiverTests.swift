import Foundation
import Synchronization
import Testing
@testable import CallTopSimulator

/// A value closures share (a `Mutex` cannot be captured by an escaping closure).
final class Shared<Value: Sendable>: Sendable {
    private let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
    func callAsFunction<R: Sendable>(_ body: (inout Value) -> R) -> R { value.withLock { body(&$0) } }
}

/// The demo's pieces that stand in for the outside world: free ports, the
/// delivery receiver and the callback player's pacing.
@Suite struct DeliveryReceiverTests {
    func post(_ receiver: DeliveryReceiver, signature: String, body: String) async throws -> CurlResult {
        try await curl(receiver.url, ["-X", "POST", "-H", "X-CallTop-Signature: \(signature)", "-H", "X-CallTop-Timestamp: 1700000000",
                                           "-H", "X-CallTop-Delivery: CA1.v2", "--data-binary", body])
    }

    @Test func aGenuineDeliveryIsAcknowledgedAndAForgedOneRefused() async throws {
        let checked = Shared<[String]>([])
        let heard = Shared<[DeliveryReceiver.Delivery]>([])
        let receiver = DeliveryReceiver(verify: { signature, body, timestamp in
            checked { $0.append("\(signature ?? "-") \(timestamp) \(body)") }
            return signature == "sha256=good"
        }) { delivery, _ in heard { $0.append(delivery) } }
        try await receiver.start()
        #expect(receiver.port > 0)
        let body = #"{"call_sid":"CA1","source":"offline","supersedes":1}"#
        #expect(try await post(receiver, signature: "sha256=forged", body: body).status == 403)
        #expect(try await post(receiver, signature: "sha256=good", body: body).status == 200)
        #expect(try await curl("http://127.0.0.1:\(receiver.port)/healthz").status == 200)
        await receiver.stop()
        #expect(checked { $0 } == ["sha256=forged 1700000000 \(body)", "sha256=good 1700000000 \(body)"])
        let expected = DeliveryReceiver.Delivery(id: "CA1.v2", callSid: "CA1", source: "offline", supersedes: true)
        #expect(heard { $0 } == [expected])
        #expect(receiver.deliveries == [expected])
    }

    @Test func aBodyItCannotReadStillCountsUnderItsId() {
        #expect(DeliveryReceiver.delivery(id: "CA9.v1", body: "not json")
            == DeliveryReceiver.Delivery(id: "CA9.v1", callSid: "CA9", source: "?", supersedes: false))
        #expect(DeliveryReceiver.delivery(id: "CA9.v1", body: #"{"call_sid":"CA8","source":"realtime","supersedes":null}"#)
            == DeliveryReceiver.Delivery(id: "CA9.v1", callSid: "CA8", source: "realtime", supersedes: false))
    }

    @Test func aFreePortCanBeListenedOn() throws {
        let port = try LoopbackPort.free()
        #expect((1...65535).contains(port))
    }

    @Test func aTakenPortIsTriedAgainUpToThreeTimes() async throws {
        struct Taken: Error {}
        struct Other: Error {}
        let tries = Shared<[Int]>([])
        await #expect(throws: Taken.self) {
            try await LoopbackPort.start(isPortTaken: { $0 is Taken }) { port -> Int in tries { $0.append(port) }; throw Taken() }
        }
        #expect(tries { $0.count } == 3)
        tries { $0 = [] }
        await #expect(throws: Other.self) {
            try await LoopbackPort.start(isPortTaken: { $0 is Taken }) { port -> Int in tries { $0.append(port) }; throw Other() }
        }
        #expect(tries { $0.count } == 1)
        let second = try await LoopbackPort.start(isPortTaken: { $0 is Taken }) { port -> Int in
            tries { $0.append(port) }
            if tries({ $0.count }) < 3 { throw Taken() }
            return port
        }
        #expect(second == tries { $0.last })
    }

    @Test func callbacksTakeAboutSixSecondsWhateverTheirNumber() {
        #expect(CallbackPlayer.pause(between: 0) == 0)
        #expect(CallbackPlayer.pause(between: 10) == 0.25)
        #expect(CallbackPlayer.pause(between: 40) == 0.15)
        #expect(CallbackPlayer.pause(between: 600) == 0.01)
    }
}
