import Causality
import InboxModel
@testable import Replica
import OutpostTestSupport
import Testing

/// How a user resolves a draft conflict.
enum Resolution: String, CaseIterable, Sendable {
    case pickOther, pickOwn, saveMerged
}

@Suite("Draft conflicts between two devices of one user")
struct DraftConflictTests {
    /// Dana saves a draft on her laptop (the replica under test) while her tablet, not having seen it,
    /// saves another: the tablet's op arrives by sync.
    func conflict(_ kind: StoreKind) throws -> (Store, Seed, tabletVersion: Dot) {
        let (store, seed) = try seededStore(kind)
        try store.replica.saveDraft(seed.invoice, text: "Laptop version")
        var tablet = OpMaker(replica: World.tablet)
        let op = tablet.make(.user(World.dana.id), .saveDraft(SaveDraft(
            key: .conversation(seed.invoice), text: "Tablet version", supersedes: [])),
            at: World.base + 30_000, deps: [Dot(replica: World.server, counter: 12)])
        #expect(try store.replica.apply([op]) == ApplyReport(applied: 1))
        return (store, seed, op.dot)
    }

    @Test("both versions are visible; sending is refused until resolved", arguments: StoreKind.allCases)
    func bothVisible(kind: StoreKind) throws {
        let (store, seed, tabletVersion) = try conflict(kind)
        let replica = store.replica
        let key = DraftKey.conversation(seed.invoice)
        let view = try replica.draft(key)
        #expect(view.inConflict)
        #expect(view.versions.map(\.text) == ["Tablet version", "Laptop version"], "oldest save first")
        #expect(view.versions.map(\.savedOn) == [World.tablet, World.laptop])
        #expect(view.versions[0].version == tabletVersion)
        #expect(try replica.thread(seed.invoice, markRead: false).draft.count == 2)
        #expect(try replica.row(seed.invoice)?.hasDraft == true)
        #expect(try replica.drafts().first?.inConflict == true)
        try expectRefused(.draftConflict, replica) { _ = try replica.sendDraft(key) }
    }

    @Test("picking a version or saving new text resolves the conflict",
          arguments: StoreKind.allCases, Resolution.allCases)
    func resolve(kind: StoreKind, resolution: Resolution) throws {
        let (store, seed, tabletVersion) = try conflict(kind)
        let replica = store.replica
        let key = DraftKey.conversation(seed.invoice)
        let laptopVersion = try #require(try replica.draft(key).versions.last?.version)
        let expected: String
        switch resolution {
        case .pickOther:
            try replica.pickDraftVersion(key, version: tabletVersion)
            expected = "Tablet version"
        case .pickOwn:
            try replica.pickDraftVersion(key, version: laptopVersion)
            expected = "Laptop version"
        case .saveMerged:
            try replica.saveDraft(seed.invoice, text: "Merged version")
            expected = "Merged version"
        }
        let view = try replica.draft(key)
        #expect(!view.inConflict)
        #expect(view.versions.map(\.text) == [expected])
        let journal = try store.journalCount
        try replica.pickDraftVersion(key, version: view.versions[0].version)
        #expect(try store.journalCount == journal, "picking the only version changes nothing")
        let sent = try replica.sendDraft(key)
        let last = try #require(try replica.thread(seed.invoice).messages.last)
        #expect(last.id == sent && last.body == expected)
        #expect(try replica.draft(key).versions.isEmpty)
    }

    @Test("picking a version that is not there is refused", arguments: StoreKind.allCases)
    func pickUnknown(kind: StoreKind) throws {
        let (store, seed, _) = try conflict(kind)
        try expectRefused(.noDraft, store.replica) {
            try store.replica.pickDraftVersion(.conversation(seed.invoice), version: Dot(replica: World.tablet, counter: 9))
        }
    }

    @Test("sending supersedes only what the sender saw: a concurrent edit survives as a draft",
          arguments: StoreKind.allCases)
    func sendKeepsConcurrentEdit(kind: StoreKind) throws {
        let (store, seed) = try seededStore(kind)
        let replica = store.replica
        let key = DraftKey.conversation(seed.invoice)
        try replica.saveDraft(seed.invoice, text: "Mine")
        let saved = try #require(try replica.lastOp())
        // The tablet syncs the laptop's save and edits it, but has not seen the send.
        var tablet = OpMaker(replica: World.tablet)
        let edit = tablet.make(.user(World.dana.id), .saveDraft(SaveDraft(key: key, text: "Mine, edited on the tablet",
                                                                            supersedes: [saved.dot])),
                               at: World.base + 61_000, deps: [Dot(replica: World.server, counter: 12), saved.dot])
        let sent = try replica.sendDraft(key)
        #expect(try replica.draft(key).versions.isEmpty)
        try replica.apply([edit])
        #expect(try replica.draft(key).versions.map(\.text) == ["Mine, edited on the tablet"])
        #expect(try replica.thread(seed.invoice, markRead: false).messages.last?.id == sent)
        #expect(try replica.thread(seed.invoice, markRead: false).messages.last?.body == "Mine")
    }

    @Test("a discard removes only the versions this device saw", arguments: StoreKind.allCases)
    func discardKeepsUnseen(kind: StoreKind) throws {
        let (store, seed) = try seededStore(kind)
        let replica = store.replica
        let key = DraftKey.conversation(seed.invoice)
        // The tablet saw the laptop's v1 (not v2) and discards it: v2 survives.
        try replica.saveDraft(seed.invoice, text: "v1")
        let v1 = try #require(try replica.lastOp()).dot
        try replica.saveDraft(seed.invoice, text: "v2")
        var tablet = OpMaker(replica: World.tablet)
        try replica.apply([tablet.make(.user(World.dana.id), .discardDraft(DiscardDraft(key: key, supersedes: [v1])),
                                       at: World.base + 61_000, deps: [Dot(replica: World.server, counter: 12), v1])])
        #expect(try replica.draft(key).versions.map(\.text) == ["v2"])
    }
}
