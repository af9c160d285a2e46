import Causality
import InboxModel
@testable import Replica
import Testing

@Suite("Local actions")
struct ActionTests {
    @Test("compose starts a conversation at the top of the inbox", arguments: StoreKind.allCases)
    func compose(kind: StoreKind) throws {
        let (store, seed) = try seededStore(kind)
        let replica = store.replica
        let id = try replica.compose(to: World.birch.id, subject: "Autumn samples", text: "Shall we send samples?")
        #expect(id.dot.replica == World.laptop)
        let row = try #require(try replica.inbox().first)
        #expect(row.id == id)
        #expect(row.kind == .direct && row.partnerID == World.birch.id && row.partnerName == "Birch & Bloom")
        #expect(row.subject == "Autumn samples" && row.preview == "Shall we send samples?")
        #expect(!row.unread, "own messages are never unread")
        #expect(row.lastAuthor == .user(World.dana.id))
        #expect(row.lastActivity == World.deviceClock.milliseconds)
        let view = try replica.thread(id)
        #expect(view.startedBy == .user(World.dana.id))
        #expect(view.messages.count == 1)
        #expect(view.messages[0].isOwn && view.messages[0].delivery == .pending)
        #expect(try replica.inbox().count == seed.newestFirst.count + 1)
        #expect(try replica.partner(World.birch.id).recent.map(\.id) == [id, seed.inquiry],
                "the partner's profile lists it")
    }

    @Test("a read up to a message leaves the later ones unread", arguments: StoreKind.allCases)
    func partialRead(kind: StoreKind) throws {
        let (store, seed) = try seededStore(kind)
        let replica = store.replica
        let messages = try replica.thread(seed.proposal, markRead: false).messages
        #expect(messages.count == 2 && messages.allSatisfy(\.unread))
        #expect(try replica.markRead(seed.proposal, .first(1)))
        #expect(try replica.thread(seed.proposal, markRead: false).messages.map(\.unread) == [false, true])
        #expect(try replica.inbox().first { $0.id == seed.proposal }?.unread == true)
        #expect(try !replica.markRead(seed.proposal, .through(messages[0].id)), "read that far already")
        #expect {
            try replica.markRead(seed.proposal, .through(MessageID(Dot(replica: World.server, counter: 999))))
        } throws: { ($0 as? ReplicaError)?.code == .unknownMessage }
        #expect { try replica.markRead(seed.proposal, .first(0)) } throws: { ($0 as? ReplicaError)?.code == .invalidArgument }
        #expect(try replica.markRead(seed.proposal, .through(messages[1].id)))
        #expect(try replica.thread(seed.proposal, markRead: false).messages.allSatisfy { !$0.unread })
        #expect(try replica.inbox().first { $0.id == seed.proposal }?.unread == false)
    }

    @Test("reply adds a message and moves the thread to the top", arguments: StoreKind.allCases)
    func reply(kind: StoreKind) throws {
        let (store, seed) = try seededStore(kind)
        let replica = store.replica
        let message = try replica.reply(to: seed.invoice, text: "It was paid this morning.")
        #expect(message.dot == Dot(replica: World.laptop, counter: 1))
        let row = try #require(try replica.inbox().first)
        #expect(row.id == seed.invoice)
        #expect(row.messageCount == 2)
        #expect(row.preview == "It was paid this morning.")
        #expect(row.unread, "the partner's question is still unread")
        #expect(try replica.thread(seed.invoice).messages.map(\.id).last == message)
    }

    @Test("thread draft: save, edit, discard, send", arguments: StoreKind.allCases)
    func threadDraft(kind: StoreKind) throws {
        let (store, seed) = try seededStore(kind)
        let replica = store.replica
        let key = DraftKey.conversation(seed.invoice)
        #expect(try replica.draft(key).versions.isEmpty)
        #expect(try replica.draft(key).subject == "Invoice question")

        try replica.saveDraft(seed.invoice, text: "We will pay")
        #expect(try replica.draft(key).versions.map(\.text) == ["We will pay"])
        #expect(try replica.row(seed.invoice)?.hasDraft == true)
        #expect(try replica.thread(seed.invoice, markRead: false).draft.map(\.text) == ["We will pay"])
        let journal = try store.journalCount
        try replica.saveDraft(seed.invoice, text: "We will pay")
        #expect(try store.journalCount == journal, "saving the same text again writes nothing")

        try replica.saveDraft(seed.invoice, text: "We will pay on Friday")
        let edited = try replica.draft(key)
        #expect(edited.versions.map(\.text) == ["We will pay on Friday"], "an edit replaces the version it saw")
        #expect(!edited.inConflict)
        #expect(edited.versions[0].savedOn == World.laptop)
        #expect(try replica.drafts().map(\.key) == [key])
        #expect(try replica.info().drafts == 1)

        try replica.discardDraft(key)
        #expect(try replica.draft(key).versions.isEmpty)
        #expect(try replica.row(seed.invoice)?.hasDraft == false)
        #expect(try replica.drafts().isEmpty)

        try replica.saveDraft(seed.invoice, text: "Paid, see the receipt.")
        let sent = try replica.sendDraft(key)
        let view = try replica.thread(seed.invoice)
        #expect(view.messages.last?.id == sent)
        #expect(view.messages.last?.body == "Paid, see the receipt.")
        #expect(view.draft.isEmpty, "sending clears the draft")
        #expect(try replica.row(seed.invoice)?.messageCount == 2)
    }

    @Test("a reply sends the draft of its thread", arguments: StoreKind.allCases)
    func replyClearsDraft(kind: StoreKind) throws {
        let (store, seed) = try seededStore(kind)
        try store.replica.saveDraft(seed.invoice, text: "Half-written")
        try store.replica.reply(to: seed.invoice, text: "The finished reply.")
        #expect(try store.replica.draft(.conversation(seed.invoice)).versions.isEmpty)
    }

    @Test("compose draft: start, update, send starts a conversation", arguments: StoreKind.allCases)
    func composeDraft(kind: StoreKind) throws {
        let (store, seed) = try seededStore(kind)
        let replica = store.replica
        let key = try replica.startComposeDraft(to: World.birch.id, subject: "Autumn samples", text: "Hi Birch")
        #expect(key.isCompose)
        #expect(key == .compose(Dot(replica: World.laptop, counter: 1)))
        var view = try replica.draft(key)
        #expect(view.partner == World.birch.id && view.subject == "Autumn samples")
        #expect(view.versions.map(\.text) == ["Hi Birch"])
        #expect(try replica.drafts().map(\.key) == [key])

        try replica.updateComposeDraft(key, text: "Hi Birch, here are the samples.")
        view = try replica.draft(key)
        #expect(view.versions.map(\.text) == ["Hi Birch, here are the samples."])
        #expect(view.partner == World.birch.id && view.subject == "Autumn samples", "partner and subject are kept")
        try replica.updateComposeDraft(key, text: "Hi Birch, here are the samples.", subject: "Autumn samples, v2")
        #expect(try replica.draft(key).subject == "Autumn samples, v2")

        let sent = try replica.sendDraft(key)
        let id = ConversationID(sent.dot)
        let row = try #require(try replica.inbox().first)
        #expect(row.id == id)
        #expect(row.subject == "Autumn samples, v2" && row.partnerID == World.birch.id && row.kind == .direct)
        #expect(row.preview == "Hi Birch, here are the samples.")
        #expect(try replica.drafts().isEmpty)
        try expectRefused(.noDraft, replica) { _ = try replica.draft(key) }
        #expect(try replica.inbox().count == seed.newestFirst.count + 1)
    }

    @Test("a compose draft needs a partner and a subject before it is sent", arguments: StoreKind.allCases)
    func composeDraftIncomplete(kind: StoreKind) throws {
        let (store, _) = try seededStore(kind)
        let replica = store.replica
        let key = try replica.startComposeDraft(to: nil, subject: nil, text: "An idea for a collab")
        try expectRefused(.invalidArgument, replica) { _ = try replica.sendDraft(key) }
        try replica.updateComposeDraft(key, text: "An idea for a collab", partner: World.alpine.id)
        try expectRefused(.invalidArgument, replica) { _ = try replica.sendDraft(key) }
        try replica.updateComposeDraft(key, text: "An idea for a collab", subject: "Collab")
        let sent = try replica.sendDraft(key)
        #expect(try replica.row(ConversationID(sent.dot))?.partnerID == World.alpine.id)
    }

    @Test("replying to a system notification is refused", arguments: StoreKind.allCases)
    func systemReadOnly(kind: StoreKind) throws {
        let (store, seed) = try seededStore(kind)
        let replica = store.replica
        try expectRefused(.readOnlyConversation, replica) { try replica.reply(to: seed.leftPlatform, text: "Sorry to see you go") }
        try expectRefused(.readOnlyConversation, replica) { try replica.saveDraft(seed.leftPlatform, text: "Draft") }
        // Reading it is fine.
        #expect(try replica.markRead(seed.leftPlatform))
    }

    @Test("every action records exactly one journal op, made by this replica for its viewer",
          arguments: StoreKind.allCases)
    func oneOpPerAction(kind: StoreKind) throws {
        let (store, seed) = try seededStore(kind)
        let replica = store.replica
        var composeKey: DraftKey?
        let actions: [(String, OpKind, () throws -> Void)] = [
            ("compose", .startConversation, { try replica.compose(to: World.alpine.id, subject: "Hi", text: "Hello") }),
            ("reply", .postMessage, { try replica.reply(to: seed.proposal, text: "Thanks") }),
            ("mark read", .markRead, { try replica.markRead(seed.inquiry) }),
            ("mark unread", .markUnread, { try replica.markUnread(seed.inquiry) }),
            ("mark read again", .markRead, { try replica.markRead(seed.inquiry) }),
            ("open thread", .markRead, { _ = try replica.thread(seed.invoice) }),
            ("save draft", .saveDraft, { try replica.saveDraft(seed.invoice, text: "Draft") }),
            ("edit draft", .saveDraft, { try replica.saveDraft(seed.invoice, text: "Draft, edited") }),
            ("discard draft", .discardDraft, { try replica.discardDraft(.conversation(seed.invoice)) }),
            ("save draft again", .saveDraft, { try replica.saveDraft(seed.invoice, text: "Final") }),
            ("send draft", .postMessage, { try replica.sendDraft(.conversation(seed.invoice)) }),
            ("start compose draft", .saveDraft, {
                composeKey = try replica.startComposeDraft(to: World.birch.id, subject: "S", text: "T")
            }),
            ("update compose draft", .saveDraft, { try replica.updateComposeDraft(try #require(composeKey), text: "T2") }),
            ("send compose draft", .startConversation, { try replica.sendDraft(try #require(composeKey)) }),
        ]
        var counter: UInt64 = 0
        for (name, kind, action) in actions {
            let before = try store.journalCount
            try action()
            counter += 1
            #expect(try store.journalCount == before + 1, "\(name)")
            let op = try #require(try replica.lastOp())
            #expect(op.kind == kind, "\(name)")
            #expect(op.dot == Dot(replica: World.laptop, counter: counter), "\(name)")
            #expect(op.actor == .user(World.dana.id), "\(name)")
            #expect(op.stamp.replica == World.laptop)
        }
        #expect(try replica.versionVector()[World.laptop] == counter)
        let report = try replica.verify()
        #expect(report.ok, "the actions' state rebuilds from the journal")
    }

    @Test("local ops carry deps on what this replica had seen from others", arguments: StoreKind.allCases)
    func localDeps(kind: StoreKind) throws {
        let (store, seed) = try seededStore(kind)
        let replica = store.replica
        try replica.reply(to: seed.invoice, text: "First")
        #expect(try replica.lastOp()?.deps == [Dot(replica: World.server, counter: 12)])
        try replica.reply(to: seed.invoice, text: "Second")
        #expect(try replica.lastOp()?.deps == [], "already in the causal past of the previous op")
        var server = seed.server
        try replica.apply([server.make(.partner(World.alpine.id), .postMessage(PostMessage(
            conversation: seed.invoice, body: "Thanks")), at: World.base + 100_000)])
        try replica.markRead(seed.invoice)
        let op = try #require(try replica.lastOp())
        #expect(op.deps == [Dot(replica: World.server, counter: 13)])
        #expect(op.stamp.wall >= World.base + 100_000, "the stamp exceeds the newest op seen")
    }
}
