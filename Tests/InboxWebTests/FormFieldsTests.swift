@testable import InboxWeb
import Testing

@Suite("Form and query decoding")
struct FormFieldsTests {
    @Test("+ is a space, %XX a byte, the first of repeated names wins")
    func decodes() {
        let fields = FormFields("q=hello+world&text=%3Cscript%3E&q=second&empty=&flag")
        #expect(fields["q"] == "hello world")
        #expect(fields["text"] == "<script>")
        #expect(fields["empty"] == "")
        #expect(fields["flag"] == "")
        #expect(fields["missing"] == nil)
    }

    @Test("a pager link carries the search and filters back unchanged, whatever the search holds")
    func pagerLinks() {
        let query = InboxQuery(parameters: ["q": "a+b & c=d ü/?#", "kind": "direct", "unread": "1", "page": "3"])
        let next = query.href(page: 4)
        #expect(next.hasPrefix("/inbox?q="))
        let fields = FormFields(Substring(next.dropFirst("/inbox?".count)))
        #expect(InboxQuery(parameters: fields.values) == InboxQuery(parameters: [
            "q": "a+b & c=d ü/?#", "kind": "direct", "unread": "1", "page": "4"]))
        #expect(InboxQuery(parameters: [:]).href(page: 1) == "/inbox")
    }
}
