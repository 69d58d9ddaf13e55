import Foundation
import Testing
@testable import CallTopCore

@Suite struct ExportFormatTests {
    static let row = CallRow(callSid: "CA" + String(repeating: "1", count: 32), from: "+14155550100", to: "+442071838750",
                             direction: "inbound", callStatus: "completed", startTime: Date(timeIntervalSince1970: 1_764_252_300),
                             durationS: 83, recordingSid: "RE" + String(repeating: "2", count: 32), downloadState: .downloaded)

    @Test func csvQuotesCommasQuotesAndNewlinesAndNeutralisesFormulas() {
        #expect(CSVLine.encode(["plain", "a,b", "say \"hi\"", "two\nlines", ""]) == "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",")
        #expect(CSVLine.encode(["=HYPERLINK(\"x\")", "+15551234567", "-3", "@cmd"]) == "\"'=HYPERLINK(\"\"x\"\")\",+15551234567,-3,'@cmd")
        #expect(CSVLine.encode(["esc\u{1B}[31mred"]) == "esc[31mred")
    }

    @Test func csvHasTheSameColumnsAsTheJSON() throws {
        let record = CallExportRecord(row: Self.row, transcript: AuthoritativeTranscript(
            source: .realtime, reason: "offline failed: worker crashed", text: "Hello, \"world\"\nbye", engine: "twilio"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(try ExportFormat.jsonl.line(record).utf8)) as? [String: Any])
        #expect(Set(json.keys) == Set(CallExportRecord.csvHeader))
        #expect(json["transcript"] as? String == "Hello, \"world\"\nbye")
        #expect(json["transcript_source"] as? String == "realtime" && json["transcript_reason"] as? String == "offline failed: worker crashed")
        #expect(json["start_time"] as? String == "2025-11-27T14:05:00Z")
        #expect(ExportFormat.csv.header == CallExportRecord.csvHeader.joined(separator: ","))
        let csv = try ExportFormat.csv.line(record)
        #expect(csv.hasPrefix("\(Self.row.callSid),+14155550100,+442071838750,inbound,completed,2025-11-27T14:05:00Z,83,"))
        #expect(csv.hasSuffix(",realtime,offline failed: worker crashed,twilio,\"Hello, \"\"world\"\"\nbye\""))
        #expect(try !ExportFormat.jsonl.line(record).contains("\n"), "one JSON object per line")
    }

    @Test func aCallWithoutTranscriptSaysSo() throws {
        let record = CallExportRecord(row: Self.row, transcript: nil)
        #expect(record.transcriptSource == "none" && record.transcript.isEmpty && !record.transcriptReason.isEmpty)
    }
}
