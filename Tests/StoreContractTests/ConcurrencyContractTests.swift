@testable import CallTopCore
import CallTopWebhooks
import Foundation
import Testing

/// Eight owners racing for the same decision, each on a thread of its own:
/// on both engines exactly one may win ("two processes racing can never both win").
@Suite struct ConcurrencyContractTests {
    static let racers = 8

    /// One store handle per racer, each with its own owner, on the same store.
    func handles(_ store: any WebhookStore) throws -> [any WebhookStore] {
        try (0..<Self.racers).map { try store.handle(owner: .racer($0), lease: store.lease) }
    }

    func failures<T>(_ results: [Result<T, any Error>]) -> [any Error] {
        results.compactMap { result -> (any Error)? in
            if case .failure(let error) = result { return error }
            return nil
        }
    }

    func winners<T>(_ results: [Result<T?, any Error>]) throws -> [T] {
        try results.compactMap { try $0.get() }
    }

    @Test(arguments: StoreEngine.allCases)
    func oneOfEightRacersClaimsADownload(engine: StoreEngine) async throws {
        let store = try engine.makeStore()
        try store.seed(1...1)
        let handles = try handles(store)
        let results = await race(Self.racers) { i in try await handles[i].claimDownload(recordingSid(1), now: t0) }
        let won = try winners(results)
        #expect(won.count == 1)
        let holder = try #require(try store.recording(recordingSid(1))?.leaseOwner)
        #expect(won.first?.leaseOwner == holder)
    }

    @Test(arguments: StoreEngine.allCases)
    func oneOfEightRacersClaimsATranscription(engine: StoreEngine) async throws {
        let store = try engine.makeStore()
        try store.seed(1...1)
        try await store.markDownloaded(1)
        try store.enqueueDownloadedForTranscription(now: t0)
        let handles = try handles(store)
        let results = await race(Self.racers) { i in try handles[i].claimTranscriptionJob(callSid(1), now: t0, onlyIfQueued: true) }
        let won = try winners(results)
        #expect(won.count == 1)
        #expect(try store.offlineState(callSid(1)) == .running)
    }

    @Test(arguments: StoreEngine.allCases)
    func oneOfEightRacersQueuesADeliveryVersion(engine: StoreEngine) async throws {
        let store = try engine.makeStore()
        try store.beginSettlement(callSid: callSid(1), recordingSid: recordingSid(1), completedAt: t0, firstCheckAt: t0)
        let handles = try handles(store)
        let results = await race(Self.racers) { i in
            try handles[i].enqueueDelivery(callSid: callSid(1), previousVersion: 0, version: 1, source: .realtime, payload: "{}", checksDone: 2, now: t0)
        }
        #expect(try results.filter { try $0.get() }.count == 1)
        #expect(try store.deliveries(ofCall: callSid(1)).count == 1)
    }

    @Test(arguments: StoreEngine.allCases)
    func oneOfEightRacersHoldsANamedLease(engine: StoreEngine) async throws {
        let store = try engine.makeStore()
        let handles = try handles(store)
        let results = await race(Self.racers) { i in try handles[i].holdLease("sync", duration: 30, now: t0) }
        #expect(try results.filter { try $0.get() }.count == 1)
        let winner = try #require(results.firstIndex { (try? $0.get()) == true })
        #expect(try store.leaseHolder("sync")?.owner == LeaseOwner.racer(winner).description)
    }

    @Test(arguments: StoreEngine.allCases)
    func oneOfEightRacersRegistersAWorkerName(engine: StoreEngine) async throws {
        let store = try engine.makeStore()
        let handles = try handles(store)
        let results = await race(Self.racers) { i in
            try handles[i].registerWorker(WorkerRecord(name: "w", owner: .racer(i), version: "0.1.0", startedAt: t0, downloadSlots: 1,
                                                       transcriptionSlots: 0), now: t0)
        }
        let registered = results.indices.filter { (try? results[$0].get()) != nil }
        #expect(registered.count == 1, "every other racer is told the name is taken")
        let wrongErrors = failures(results).filter { !($0 is WorkerRegistrationError) }.map { "\($0)" }
        #expect(wrongErrors.isEmpty, "a loser is told the name is taken, as such: \(wrongErrors.first ?? "")")
        #expect(try store.workers().map(\.owner) == registered.map { LeaseOwner.racer($0).description })
    }

    @Test(arguments: StoreEngine.allCases)
    func racersClaimingOneCallsRecordingsEachGetAName(engine: StoreEngine) async throws {
        // Workers downloading the recordings of one call at the same moment: every
        // claim succeeds, each with a name of its own. Many rounds, because the
        // racers' transactions need to overlap for a clash to show.
        let store = try engine.makeStore()
        let rounds = 20, perCall = 3
        try store.upsertCalls((1...rounds).map { twilioCall($0) }, now: t0)
        try store.upsertRecordings((1...rounds).flatMap { call in
            (0..<perCall).map { twilioRecording(perCall * call + $0, call: call, created: Double($0)) }
        }, now: t0)
        let handles = try handles(store)
        var clashes: [String] = []
        for call in 1...rounds {
            let results = await race(perCall) { i in try await handles[i].claimDownload(recordingSid(perCall * call + i), now: t0) }
            let names = results.compactMap { try? $0.get() }.compactMap(\.fileName)
            if names.count != perCall || Set(names).count != perCall {
                clashes.append("call \(call): names \(names), errors \(failures(results))")
            }
        }
        #expect(clashes.isEmpty, "\(clashes.count) of \(rounds) rounds clashed; first: \(clashes.first ?? "")")
    }
}
