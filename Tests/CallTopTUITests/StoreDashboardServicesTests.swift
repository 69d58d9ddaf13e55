import Foundation
import Testing
@testable import CallTopCore
@testable import CallTopTUI

/// The dashboard's services over a real (empty) store.
@Suite struct StoreDashboardServicesTests {
    func services(readonly: Bool = true) throws -> StoreDashboardServices {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("calltop-services-\(UUID().uuidString.prefix(8))")
        let workspace = try Workspace(dataDir: dir, host: TwilioHost(), credentials: nil, keepLogInMemory: true)
        return StoreDashboardServices(workspace: workspace, context: Fixture.context(readonly: readonly, transcription: false), transcription: nil)
    }

    @Test func aFirstPageIsWorthItOnlyAboveFourPages() {
        #expect(!StoreDashboardServices.wantsFirstPage(totalCalls: 0, limit: 100))
        #expect(!StoreDashboardServices.wantsFirstPage(totalCalls: 400, limit: 100))
        #expect(StoreDashboardServices.wantsFirstPage(totalCalls: 401, limit: 100))
    }

    @Test func aSmallStoreLoadsWholeWithoutAPage() async throws {
        let services = try services()
        #expect(try await services.loadFirstPage(limit: 50) == nil)
        #expect(try await services.loadRows().isEmpty)
    }

    @Test func transcribingWithoutAnEngineSaysWhy() async throws {
        let services = try services(readonly: false)
        await #expect(throws: DashboardFailure.self) { try await services.transcribe(callSids: ["CA" + String(repeating: "1", count: 32)]) }
    }
}
