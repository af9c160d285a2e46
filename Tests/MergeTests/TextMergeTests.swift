import Testing
@testable import Merge

@Suite("Three-way text merge")
struct TextMergeTests {
    @Test("non-overlapping edits on both sides are both kept")
    func nonOverlapping() {
        let merged = TextMerge.merge(ancestor: "Hi Sam, the box ships soon.",
                                     ours: "Hi Sam, the red box ships soon.",
                                     theirs: "Hello Sam, the box ships soon.")
        #expect(merged == "Hello Sam, the red box ships soon.")
    }

    @Test("an edit on one side only wins")
    func oneSided() {
        #expect(TextMerge.merge(ancestor: "a b c", ours: "a b c", theirs: "a x c") == "a x c")
        #expect(TextMerge.merge(ancestor: "a b c", ours: "a x c", theirs: "a b c") == "a x c")
    }

    @Test("the same edit on both sides is applied once")
    func sameEdit() {
        #expect(TextMerge.merge(ancestor: "one two three", ours: "one 2 three four", theirs: "one 2 three")
                == "one 2 three four")
    }

    @Test("overlapping edits are a conflict")
    func overlapping() {
        #expect(TextMerge.merge(ancestor: "the box ships Monday", ours: "the box ships Tuesday",
                                theirs: "the box ships Friday") == nil)
    }

    @Test("two insertions at one place are a conflict")
    func insertionsAtOnePlace() {
        #expect(TextMerge.merge(ancestor: "", ours: "Thanks!", theirs: "Cheers") == nil)
        #expect(TextMerge.merge(ancestor: "Hi.", ours: "Hi. One.", theirs: "Hi. Two.") == nil)
    }

    @Test("merging is symmetric", arguments: [
        ("Dear team, the samples arrived. Best, Dana", "Dear team, the samples arrived today. Best, Dana",
         "Dear partners, the samples arrived. Best, Dana"),
        ("a b c d e f", "a B c d e f", "a b c d E f"),
        ("x", "x y", "w x"),
    ])
    func symmetric(ancestor: String, ours: String, theirs: String) {
        #expect(TextMerge.merge(ancestor: ancestor, ours: ours, theirs: theirs)
                == TextMerge.merge(ancestor: ancestor, ours: theirs, theirs: ours))
        #expect(TextMerge.merge(ancestor: ancestor, ours: ours, theirs: theirs) != nil)
    }

    @Test("tokens keep every character")
    func tokensRoundTrip() {
        let text = "Hi  Sam,\n\tthe box—ships 10.5 kg 🙂 today!"
        #expect(TextMerge.tokens(text).joined() == text)
    }
}
