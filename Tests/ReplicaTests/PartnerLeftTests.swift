import Causality
import InboxModel
@testable import Replica
import Testing

/// A partner this replica knows has left the platform: replies, new messages and sent drafts to
/// it are refused up front with `partner_left`, and what the user typed is kept as a draft.
@Suite("Writing to a partner who left")
struct PartnerLeftTests {
    /// The seed, with Alpine (the partner of `seed.proposal`, a direct thread) then leaving.
    static func alpineLeft() throws -> (Store, Seed) {
        var (store, seed) = try seededStore(.memory)
        var left = World.alpine
        left.status = .ended
        try store.replica.apply([seed.server.make(.platform, .upsertPartner(left), at: World.base + 100_000)])
        return (store, seed)
    }

    @Test("a reply is refused; its text becomes the thread's draft and no message is made")
    func reply() throws {
        let (store, seed) = try Self.alpineLeft()
        let replica = store.replica
        let before = try replica.thread(seed.proposal, markRead: false).messages.count
        let error = #expect(throws: ReplicaError.self) {
            try replica.reply(to: seed.proposal, text: "Shall we go ahead?")
        }
        #expect(error?.code == .partnerLeft)
        #expect(error?.message.contains("Alpine Gear Co has left the platform") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("kept as this thread's draft") == true)
        #expect(try replica.thread(seed.proposal, markRead: false).messages.count == before)
        #expect(try replica.draft(.conversation(seed.proposal)).text == "Shall we go ahead?")
        #expect(try replica.pendingOps() == 1, "only the draft was written")
    }

    @Test("a new message is refused and kept as a compose draft with its partner and subject")
    func compose() throws {
        let (store, _) = try seededStore(.memory)
        let replica = store.replica
        let error = #expect(throws: ReplicaError.self) {
            try replica.compose(to: World.cedar.id, subject: "Returns", text: "About the returns")
        }
        #expect(error?.code == .partnerLeft)
        let drafts = try replica.drafts()
        #expect(drafts.count == 1)
        let draft = try #require(drafts.first)
        #expect(draft.text == "About the returns" && draft.partner == World.cedar.id && draft.subject == "Returns")
        #expect(error?.message.contains("kept as draft \(draft.key)") == true, "\(error?.message ?? "")")
    }

    @Test("sending a draft to a partner who left is refused and changes nothing; the draft stays")
    func sendDraft() throws {
        var (store, seed) = try seededStore(.memory)
        let replica = store.replica
        try replica.saveDraft(seed.proposal, text: "Draft written before they left")
        var left = World.alpine
        left.status = .ended
        try replica.apply([seed.server.make(.platform, .upsertPartner(left), at: World.base + 100_000)])
        try expectRefused(.partnerLeft, replica) { _ = try replica.sendDraft(.conversation(seed.proposal)) }
        #expect(try replica.draft(.conversation(seed.proposal)).text == "Draft written before they left")
    }

    @Test("a partner who is only paused still gets replies")
    func pausedIsFine() throws {
        var (store, seed) = try seededStore(.memory)
        var paused = World.alpine
        paused.status = .paused
        try store.replica.apply([seed.server.make(.platform, .upsertPartner(paused), at: World.base + 100_000)])
        _ = try store.replica.reply(to: seed.proposal, text: "Still here")
    }
}
