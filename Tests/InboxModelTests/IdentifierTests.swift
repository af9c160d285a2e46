import Causality
import Foundation
import InboxModel
import Testing

@Suite("Name ids and text forms")
struct IdentifierTests {
    @Test("valid name ids", arguments: [
        "dana", "a", "0", "p6-luna-ceramics", "a.b_c-d", "9lives", String(repeating: "x", count: 64),
    ])
    func validNameID(text: String) throws {
        #expect(NameIDRule.isValid(text))
        let id = try #require(PartnerID(rawValue: text))
        #expect(id.rawValue == text && id.description == text)
        #expect(UserID(rawValue: text) != nil && BrandID(rawValue: text) != nil)
        let json = try JSONEncoder().encode(id)
        #expect(try JSONDecoder().decode(PartnerID.self, from: json) == id)
    }

    @Test("invalid name ids", arguments: [
        "", "Dana", "dAna", "-a", "_a", ".a", "a b", "a/b", "a:b", "é", "ünï", "a\n", " a",
        String(repeating: "x", count: 65),
    ])
    func invalidNameID(text: String) throws {
        #expect(!NameIDRule.isValid(text))
        #expect(UserID(rawValue: text) == nil)
        #expect(PartnerID(rawValue: text) == nil)
        #expect(BrandID(rawValue: text) == nil)
        let json = try JSONEncoder().encode([text])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([UserID].self, from: json) }
    }

    @Test("name ids order by their text")
    func nameOrder() throws {
        let ids = try ["cedar", "alpine", "birch"].map { try #require(PartnerID(rawValue: $0)) }
        #expect(ids.sorted().map(\.rawValue) == ["alpine", "birch", "cedar"])
    }

    @Test("principals: text round trip", arguments: ["platform", "user:dana", "partner:p6-luna-ceramics"])
    func principalRoundTrip(text: String) throws {
        let principal = try #require(Principal(text: text))
        #expect(principal.description == text)
        let json = try JSONEncoder().encode([principal])
        #expect(try JSONDecoder().decode([Principal].self, from: json) == [principal])
    }

    @Test("principals: malformed text", arguments: [
        "", "Platform", "user:", "user:Dana", "partner:", "partner:a b", "admin:x", "dana", "user dana",
    ])
    func principalInvalid(text: String) {
        #expect(Principal(text: text) == nil)
    }

    @Test("principal cases")
    func principalCases() throws {
        let dana = try #require(UserID(rawValue: "dana"))
        #expect(Principal.user(dana).user == dana)
        #expect(Principal.platform.user == nil)
        #expect(Principal.partner(try #require(PartnerID(rawValue: "x"))).user == nil)
    }

    @Test("conversation and message ids: text round trip")
    func conversationID() throws {
        let id = try #require(ConversationID(text: "d1:42"))
        #expect(id.dot == Dot(replica: ReplicaID(0xd1), counter: 42))
        #expect(id.description == "d1:42")
        #expect(ConversationID(text: "d1:0") == nil)
        #expect(ConversationID(text: "new:d1:4") == nil)
        #expect(MessageID(text: "1:7")?.description == "1:7")
        let json = try JSONEncoder().encode([id])
        #expect(String(decoding: json, as: UTF8.self) == #"["d1:42"]"#)
        #expect(try JSONDecoder().decode([ConversationID].self, from: json) == [id])
    }

    @Test("draft keys: conversation and compose forms", arguments: ["1:42", "new:d1:7"])
    func draftKeyRoundTrip(text: String) throws {
        let key = try #require(DraftKey(text: text))
        #expect(key.description == text)
        #expect(key.isCompose == text.hasPrefix("new:"))
        let json = try JSONEncoder().encode([key])
        #expect(try JSONDecoder().decode([DraftKey].self, from: json) == [key])
    }

    @Test("draft keys: malformed", arguments: ["", "new:", "new:1:0", "new:x", "new:new:1:1", "1:0", "draft", "1-2"])
    func draftKeyInvalid(text: String) {
        #expect(DraftKey(text: text) == nil)
    }

    @Test("draft key cases")
    func draftKeyCases() throws {
        let dot = Dot(replica: ReplicaID(0xd1), counter: 7)
        #expect(DraftKey.compose(dot).dot == dot)
        #expect(DraftKey.conversation(ConversationID(dot)).dot == dot)
        #expect(DraftKey(text: "new:d1:7") == .compose(dot))
        #expect(DraftKey(text: "d1:7") == .conversation(ConversationID(dot)))
    }
}
