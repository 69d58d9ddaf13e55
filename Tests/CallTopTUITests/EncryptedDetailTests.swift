import CallTopCore
import Testing
@testable import CallTopTUI

/// #15: the detail view says a recording is encrypted and with which key; plain ones say nothing of it.
@Suite struct EncryptedDetailTests {
    func detailText(publicKeySid: String?) -> String {
        var state = Fixture.state()
        _ = update(&state, .key(.enter))
        var detail = Fixture.detail(for: state.selectedRow!)
        detail.recordings[0].publicKeySid = publicKeySid
        _ = update(&state, .detailLoaded(detail))
        return render(state, size: TerminalSize(columns: 120, rows: 40), now: Fixture.now, timeZone: Fixture.utc).lines().joined(separator: "\n")
    }

    @Test func encryptedRecordingsShowTheirKey() {
        let key = "CR0123456789abcdef0123456789abcdef"
        let text = detailText(publicKeySid: key)
        #expect(text.contains("Encrypted") && text.contains("yes, with key \(key)"))
        #expect(!detailText(publicKeySid: nil).contains("Encrypted"))
    }
}
