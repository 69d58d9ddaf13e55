import CallTopCore
import Foundation
import Testing
@testable import CallTopTUI

/// `y` (copy the call SID, OSC 52) and `o` (the call in the Twilio Console):
/// decisions in update, performed by the ncurses backend as effects.
@Suite struct CallLinkKeyTests {
    func state(demo: Bool, region: String? = nil, readonly: Bool = false) -> DashboardState {
        var context = Fixture.context(readonly: readonly, demo: demo)
        context.region = region
        var state = DashboardState(context: context)
        _ = update(&state, .resize(TerminalSize(columns: 120, rows: 40)))
        _ = update(&state, .tick(now: Fixture.now))
        _ = update(&state, .syncCompleted(at: Fixture.now))
        Fixture.settle(&state, rows: Fixture.rows())
        return state
    }

    @Test func yCopiesTheSelectedSid() {
        var s = state(demo: false)
        _ = update(&s, .key(.down))
        let effects = update(&s, .key(.character("y")))
        #expect(effects == [.copyToClipboard(Fixture.sid("CA", 2))])
        #expect(s.status?.text.contains("copied \(Fixture.sid("CA", 2))") == true)
    }

    @Test func oCopiesAndOpensTheConsoleURLOfTheCall() {
        var s = state(demo: false, region: "ie1")
        let sid = Fixture.sid("CA", 1)
        let url = "https://console.twilio.com/us1/monitor/logs/calls?frameUrl=%2Fconsole%2Fvoice%2Fcalls%2Flogs%2F\(sid)%3Fx-target-region%3Die1"
        #expect(update(&s, .key(.character("o"))) == [.copyToClipboard(url), .openURL(url)])
        // In the detail view, the same keys act on the call shown.
        _ = update(&s, .key(.down))
        _ = update(&s, .key(.enter))
        #expect(update(&s, .key(.character("y"))) == [.copyToClipboard(Fixture.sid("CA", 2))])
    }

    @Test func consoleURLForUS1HasNoRegionParameter() {
        #expect(TwilioConsoleURL.call("CA" + String(repeating: "a", count: 32), region: nil)
            == "https://console.twilio.com/us1/monitor/logs/calls?frameUrl=%2Fconsole%2Fvoice%2Fcalls%2Flogs%2FCA" + String(repeating: "a", count: 32))
        #expect(!TwilioConsoleURL.call("CA1", region: "us1").contains("x-target-region"))
    }

    @Test func demoCallsAreNotInTheConsole() {
        var s = state(demo: true)
        #expect(update(&s, .key(.character("o"))).isEmpty)
        #expect(s.status?.text.contains("demo call") == true)
    }

    @Test func readOnlyModeStillCopies() {
        var s = state(demo: false, readonly: true)
        #expect(update(&s, .key(.character("y"))) == [.copyToClipboard(Fixture.sid("CA", 1))])
    }

    @Test func osc52SequenceIsBase64AndDropsControlCharacters() {
        #expect(OSC52.sequence("CA12") == "\u{1B}]52;c;\(Data("CA12".utf8).base64EncodedString())\u{07}")
        #expect(OSC52.sequence("a\u{07}\u{1B}]b") == OSC52.sequence("a]b"))
    }

    @Test func bothKeysAreInTheOneTableAndTheHelp() {
        #expect(KeyBindings.standard.action(for: .character("y")) == .copySid)
        #expect(KeyBindings.standard.action(for: .character("o")) == .openConsole)
        #expect(KeyBindings.standard.binding(for: .copySid)?.changesData == false)
    }
}
