import SwitchboardCore
import Testing

@Suite struct SearchQueryTests {
    static let march12: UInt64 = 1_773_273_600_000  // 2026-03-12T00:00:00Z

    @Test func operatorsAreReadAndTheRestAreWords() throws {
        let q = try SearchQuery(parsing: "launch in:#General from:@Bob has:link has:file at 10:30")
        #expect(q.words == ["launch", "at", "10:30"])
        #expect(q.channelName == "General" && q.userHandle == "bob" && q.hasLink && q.hasFile)
        #expect(try SearchQuery(parsing: "in:random from:carol").channelName == "random")
        #expect(try SearchQuery(parsing: "  ").isEmpty)
        #expect(try !SearchQuery(parsing: "has:file").isEmpty)
    }

    @Test func datesAreWholeUTCDays() throws {
        #expect(try SearchQuery(parsing: "before:2026-03-12").untilMs == Self.march12)
        #expect(try SearchQuery(parsing: "after:2026-03-11").fromMs == Self.march12)
        let on = try SearchQuery(parsing: "on:2026-03-12")
        #expect(on.fromMs == Self.march12 && on.untilMs == Self.march12 + 86_400_000)
        // The narrowest bound wins.
        let both = try SearchQuery(parsing: "after:2026-03-01 after:2026-03-11 before:2026-04-01 before:2026-03-20")
        #expect(both.fromMs == Self.march12 && both.untilMs == Self.march12 + 8 * 86_400_000)
    }

    @Test func badOperatorsAreRefusedWithTheirName() {
        for (text, name) in [("before:2026-13-01", "before:"), ("after:yesterday", "after:"), ("on:2026-02-30", "on:"),
                             ("has:video", "has:"), ("in:", "in:"), ("from:@", "from:")] {
            do {
                _ = try SearchQuery(parsing: text)
                Issue.record("\(text) was accepted")
            } catch {
                #expect(error.code == .badRequest && error.message.contains(name), "\(text): \(error.message)")
            }
        }
    }

    @Test func snippetsMarkMatchesAndAreSafeHTML() {
        #expect(SearchSnippet.make("The Café report", words: ["cafe"]) == "The <mark>Café</mark> report")
        #expect(SearchSnippet.make("<b>report</b> & \"more\"", words: ["rep"])
                == "&lt;b&gt;<mark>rep</mark>ort&lt;/b&gt; &amp; &quot;more&quot;")
        #expect(SearchSnippet.make("a prepared report", words: ["rep"]) == "a prepared <mark>rep</mark>ort")
        let long = String(repeating: "filler ", count: 40) + "needle here" + String(repeating: " tail", count: 40)
        let snippet = SearchSnippet.make(long, words: ["needle"])
        #expect(snippet.hasPrefix("…") && snippet.hasSuffix("…") && snippet.contains("<mark>needle</mark> here"))
        #expect(SearchSnippet.make("<script>x</script>", words: []) == "&lt;script&gt;x&lt;/script&gt;")
    }
}
