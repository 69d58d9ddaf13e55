import Testing
@testable import CallTopTUI

@Suite("ScreenBuffer: widths and clipping")
struct ScreenBufferTests {
    @Test func arrowsAndBoxLinesAreOneColumn() {
        #expect(DisplayWidth.of("→") == 1)
        #expect(DisplayWidth.of("┌─┐│└┘") == 6)
        #expect(DisplayWidth.of("Zoë") == 3)
    }

    @Test func wideCharactersTakeTwoColumns() {
        #expect(DisplayWidth.of("東京") == 4)
        #expect(DisplayWidth.of("📞") == 2)
        var buffer = ScreenBuffer(size: TerminalSize(columns: 6, rows: 1))
        let end = buffer.put("東京x", row: 0, column: 0, role: .normal)
        #expect(end == 5)
        #expect(buffer.lines() == ["東京x"])
        #expect(buffer[0, 1].width == 0)
    }

    @Test func aWideCharacterThatDoesNotFitLeavesABlank() {
        var buffer = ScreenBuffer(size: TerminalSize(columns: 3, rows: 1))
        buffer.put("a東京", row: 0, column: 0, role: .normal)
        #expect(buffer.lines() == ["a東"])
        buffer.put("xx東", row: 0, column: 0, role: .normal)
        #expect(buffer.lines() == ["xx"])
    }

    @Test func overwritingHalfAWideCharacterClearsTheOtherHalf() {
        var buffer = ScreenBuffer(size: TerminalSize(columns: 4, rows: 1))
        buffer.put("東京", row: 0, column: 0, role: .normal)
        buffer.put("x", row: 0, column: 1, role: .normal)
        #expect(buffer.lines() == [" x京"])
    }

    @Test func controlCharactersNeverReachTheTerminal() {
        // Shown as visible escapes (SafeText, shared with every command and the log), never sent raw.
        var buffer = ScreenBuffer(size: TerminalSize(columns: 24, rows: 1))
        buffer.put("a\u{1B}[2Jb\u{200B}c\u{9B}", row: 0, column: 0, role: .normal)
        #expect(buffer.lines() == ["a\\x1b[2Jb\\u{200b}c\\x9b"])
        #expect(!buffer.cells.contains { $0.character.unicodeScalars.contains { $0.value < 0x20 || (0x7F..<0xA0).contains($0.value) } })
    }

    @Test func truncationAndWrappingRespectWidth() {
        #expect(TextFit.truncate("+14155550100 → +442071838750", to: 15) == "+14155550100 →…")
        #expect(TextFit.truncate("東京東京", to: 5) == "東京…")
        let wrapped = TextFit.wrap("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", width: 30)
        #expect(wrapped.allSatisfy { DisplayWidth.of($0) <= 30 })
        #expect(wrapped.joined() == "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")
        #expect(TextFit.wrap("one two three", width: 7) == ["one two", "three"])
    }

    @Test func sizesAndDurations() {
        #expect(Formatting.humanBytes(812) == "812B")
        #expect(Formatting.humanBytes(1536) == "1.5K")
        #expect(Formatting.humanBytes(1_482_112) == "1.4M")
        #expect(Formatting.humanBytes(nil) == "—")
        #expect(Formatting.exactBytes(1_482_112) == "1,482,112 bytes")
        #expect(Formatting.duration(45) == "0:45")
        #expect(Formatting.duration(3725) == "1:02:05")
        #expect(Formatting.age(125) == "2m")
    }
}
