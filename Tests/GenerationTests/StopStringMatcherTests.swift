// Tests of stop strings found across pieces of streamed text, and of held-back text.

import Testing
import Generation

@Suite struct StopStringMatcherTests {
    /// Feeds `pieces`, returning what each step released plus the final flush.
    private func stream(_ pieces: [String], stops: [String]) -> (steps: [String], matcher: StopStringMatcher) {
        var matcher = StopStringMatcher(stopStrings: stops)
        var steps = pieces.map { matcher.append($0) }
        steps.append(matcher.finish())
        return (steps, matcher)
    }

    @Test func stopStringSplitOverPiecesIsNeverEmitted() {
        let (steps, matcher) = stream(["Hel", "lo, wo", "rld", "!"], stops: ["lo, world"])
        #expect(steps.joined() == "Hel")
        #expect(matcher.stopped && matcher.matched == "lo, world")
        // "l" might start "lo, world", so it waits; so does "lo, wo" until "rld" completes it.
        #expect(steps == ["He", "l", "", "", ""])
    }

    @Test func heldTextIsReleasedWhenItStopsMatching() {
        let (steps, matcher) = stream(["xa", "b", "d", "e"], stops: ["abc"])
        #expect(steps == ["x", "", "abd", "e", ""])
        #expect(!matcher.stopped)
    }

    @Test func heldTextIsReleasedAtTheEnd() {
        let (steps, _) = stream(["the end ab"], stops: ["abc"])
        #expect(steps == ["the end ", "ab"])
    }

    @Test func earliestStopStringWins() {
        let (steps, matcher) = stream(["one two three"], stops: ["three", "two"])
        #expect(steps.joined() == "one ")
        #expect(matcher.matched == "two")
    }

    @Test func overlappingPrefixesAreHandled() {
        // "aab" ends in "aa" then "b": the stop "ab" starts at the second "a".
        let (steps, matcher) = stream(["a", "a", "b"], stops: ["ab"])
        #expect(steps.joined() == "a")
        #expect(matcher.stopped)
    }

    @Test func multibyteStopStrings() {
        let (steps, matcher) = stream(["caf", "é ", "→", " fin"], stops: ["é →"])
        #expect(steps.joined() == "caf")
        #expect(matcher.stopped)
        let (plain, _) = stream(["naïve ", "text"], stops: ["ïx"])
        #expect(plain.joined() == "naïve text")
    }

    @Test func noStopStringsPassesEverythingThrough() {
        let (steps, _) = stream(["a", "b"], stops: [""])
        #expect(steps == ["a", "b", ""])
    }
}
