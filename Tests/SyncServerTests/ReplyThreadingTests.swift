import Causality
import Foundation
import InboxModel
import OutpostTestSupport
import Replica
import Testing
@testable import SyncServer

/// `In-Reply-To` and `References` come from the message's causal past (Protocol/SERVER_API.md,
/// "Reply delivery"), so a mail rendered again is the same bytes whatever arrived since.
@Suite("Reply threading from the causal past")
struct ReplyThreadingTests {
    static let brand = BrandID(rawValue: "northwind")!
    static let dana = UserID(rawValue: "dana")!
    static let sam = UserID(rawValue: "sam")!
    static let partner = PartnerID(rawValue: "p1")!
    static let from = MailAddress("outpost@northwind.example")!

    /// The brand replica: Juniper starts a thread; Dana's laptop and Sam's tablet each answer it
    /// without having seen the other's answer; then Dana answers Sam.
    struct Story {
        let replica: Replica
        let start: MessageID, dana: MessageID, sam: MessageID, danaAgain: MessageID
    }

    /// `danaArrived: false`: the server has the start and Sam's answer only (Dana's was on its way).
    static func story(danaArrived: Bool = true) throws -> Story {
        let replica = try Replica.inMemory(identity: ReplicaIdentity(replica: ReplicaID(1), brand: brand, viewer: nil))
        var server = OpMaker(replica: ReplicaID(1), wall: 1_800_000_000_000)
        let setUp = [
            server.make(.platform, .setBrand(Brand(id: brand, name: "Northwind"))),
            server.make(.platform, .upsertUser(User(id: dana, name: "Dana", email: "dana@example.com"))),
            server.make(.platform, .upsertUser(User(id: sam, name: "Sam", email: "sam@example.com"))),
            server.make(.platform, .upsertPartner(Partner(id: partner, name: "Juniper", contactEmail: "j@example.com",
                                                          status: .active, statusSince: 1))),
        ]
        let start = server.make(.partner(partner), .startConversation(StartConversation(
            kind: .direct, partner: partner, subject: "Samples", body: "Did they arrive?")))
        let thread = ConversationID(start.dot)
        var laptop = OpMaker(replica: ReplicaID(0xd1), wall: 1_800_000_010_000)
        var tablet = OpMaker(replica: ReplicaID(0xd2), wall: 1_800_000_020_000)
        // Both had applied everything up to the start; neither had seen the other's answer.
        let dana = laptop.make(.user(Self.dana), .postMessage(PostMessage(conversation: thread, body: "Yes, thanks")),
                               deps: [start.dot])
        let sam = tablet.make(.user(Self.sam), .postMessage(PostMessage(conversation: thread, body: "Arrived today")),
                              deps: [start.dot])
        let danaAgain = laptop.make(.user(Self.dana), .postMessage(PostMessage(conversation: thread, body: "Sam, great")),
                                    at: 1_800_000_030_000, deps: [sam.dot])
        try replica.apply(setUp + [start])
        try replica.apply(danaArrived ? [dana, sam, danaAgain] : [sam])
        return Story(replica: replica, start: MessageID(start.dot), dana: MessageID(dana.dot), sam: MessageID(sam.dot),
                     danaAgain: MessageID(danaAgain.dot))
    }

    static func mail(_ message: MessageID, in story: Story) throws -> OutboundMail {
        let thread = try story.replica.thread(ConversationID(story.start.dot), markRead: false)
        let repliedTo = try story.replica.repliedTo(message, in: thread)
        guard case .send(let mail) = DeliveryDecision.decide(thread: thread, message: message, repliedTo: repliedTo,
                                                             brand: brand, brandName: "Northwind", from: from) else {
            throw MailFailure.permanent("not sent")
        }
        return mail
    }

    @Test("a reply answers what its author had seen: Sam's answers the start, not Dana's concurrent one before it in the thread")
    func concurrentReplies() throws {
        let story = try Self.story()
        let thread = try story.replica.thread(ConversationID(story.start.dot), markRead: false)
        #expect(thread.messages.map(\.id) == [story.start, story.dana, story.sam, story.danaAgain], "thread order")
        #expect(try story.replica.repliedTo(story.dana, in: thread) == story.start)
        #expect(try story.replica.repliedTo(story.sam, in: thread) == story.start)
        #expect(try story.replica.repliedTo(story.danaAgain, in: thread) == story.sam)
        #expect(try story.replica.repliedTo(story.start, in: thread) == nil)
        let mail = try Self.mail(story.sam, in: story)
        let start = OutboundMail.messageID(brand: Self.brand, message: story.start)
        #expect(mail.inReplyTo == start && mail.references == [start])
        let again = try Self.mail(story.danaAgain, in: story)
        #expect(again.inReplyTo == OutboundMail.messageID(brand: Self.brand, message: story.sam))
        #expect(again.references == [start, OutboundMail.messageID(brand: Self.brand, message: story.sam)])
    }

    @Test("Sam's mail rendered before Dana's concurrent answer arrived, and again after, is the same bytes")
    func sameBytes() throws {
        let before = try Self.story(danaArrived: false), after = try Self.story()
        #expect(try Self.mail(before.sam, in: before).rendered() == Self.mail(after.sam, in: after).rendered())
    }
}
