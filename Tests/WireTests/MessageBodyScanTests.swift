import InboxModel
import Testing
@testable import Wire

@Suite("A message's text read from its payload without decoding the op")
struct MessageBodyScanTests {
    @Test("every kind of op: the text of a start or post, nothing for the others, as the decoder reads it")
    func everyKind() throws {
        var messages = 0
        for op in WireVectorTests.everyKind {
            let payload = try OpPayload.encode(op)
            let expected: String? = switch op.body {
            case .startConversation(let start): start.body
            case .postMessage(let post): post.body
            default: nil
            }
            if expected != nil { messages += 1 }
            #expect(try OpPayload.messageBody(payload) == expected, "\(op.kind)")
        }
        #expect(messages >= 2)
    }

    @Test("text with every kind of character comes back byte for byte")
    func unicode() throws {
        let text = "Grüße 👋🏽 — «тест» 漢字\n\ttabs and \u{00A0}spaces"
        var op = try #require(WireVectorTests.everyKind.first { $0.kind == .postMessage })
        guard case .postMessage(var post) = op.body else { return }
        post.body = text
        op.body = .postMessage(post)
        #expect(try OpPayload.messageBody(try OpPayload.encode(op)) == text)
    }

    @Test("a payload cut short anywhere, or with text that is not UTF-8, is refused, never misread")
    func malformed() throws {
        let op = try #require(WireVectorTests.everyKind.first { $0.kind == .postMessage })
        guard case .postMessage(let post) = op.body else { return }
        let payload = try OpPayload.encode(op)
        var refused = 0
        for cut in 1..<payload.count {
            // A cut that falls between fields leaves a shorter payload that is still well formed: it
            // may read as no text, but never as a text the op does not hold.
            do {
                let body = try OpPayload.messageBody(Array(payload.prefix(cut)))
                #expect(body == nil || body == post.body, "cut at \(cut)")
            } catch {
                refused += 1
            }
        }
        #expect(refused > post.body.utf8.count, "every cut inside the text is refused")
        let start = try #require(WireVectorTests.everyKind.first { $0.kind == .startConversation })
        guard case .startConversation(var conversation) = start.body else { return }
        conversation.body = "MARKER"
        var marked = start
        marked.body = .startConversation(conversation)
        var bytes = try OpPayload.encode(marked)
        let at = try #require(bytes.indices.first { Array(bytes[$0..<min($0 + 6, bytes.count)]) == Array("MARKER".utf8) })
        bytes[at] = 0xFF
        #expect(throws: WireError.self) { try OpPayload.messageBody(bytes) }
        #expect(throws: WireError.self) { try OpPayload.messageBody([0x32, 0x05, 0x01]) }
    }
}
