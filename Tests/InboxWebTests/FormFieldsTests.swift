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
}
