import Testing
@testable import CallTopCore

@Suite struct WordDistanceTests {
    @Test func editDistanceCountsSubstitutionsInsertionsAndDeletions() {
        #expect(WordDistance.editDistance(["a", "b", "c"], ["a", "x", "c"]) == 1)
        #expect(WordDistance.editDistance(["a", "c"], ["a", "b", "c"]) == 1)
        #expect(WordDistance.editDistance(["a", "b"], []) == 2)
        #expect(WordDistance.editDistance(["a", "b", "c", "d"], ["b", "c", "d", "a"]) == 2)
    }

    @Test func theNormaliserDecidesWhatIsTheSameWord() {
        #expect(WordDistance.words("I'd call at 9.30, O'Clock!", .caseAndPunctuation) == ["i'd", "call", "at", "9", "30", "o'clock"])
        #expect(WordDistance.words("I'd call at 9.30, O'Clock!", .spokenNumbers) == ["i", "d", "call", "at", "nine", "thirty", "oclock"])
        #expect(WordDistance.words("order 4729, room 200", .spokenNumbers) == ["order", "forty", "seven", "twenty", "nine", "room", "two", "hundred"])
    }

    @Test func errorRateIsPerReferenceWord() {
        #expect(WordDistance.errorRate(reference: "call me at nine thirty", hypothesis: "Call me at 9:30.", .spokenNumbers) == 0)
        #expect(WordDistance.errorRate(reference: "call me back", hypothesis: "call back", .spokenNumbers) == 1.0 / 3.0)
        #expect(WordDistance.errorRate(reference: "", hypothesis: "", .spokenNumbers) == 0)
        #expect(WordDistance.errorRate(reference: "", hypothesis: "noise", .caseAndPunctuation) == 1)
    }
}
