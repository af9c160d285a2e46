import Causality
import InboxModel
import Replica
import Testing

@Suite("Concurrent draft edits on two devices")
struct DraftMergeTests {
    /// Dana starts a draft on her laptop; both devices sync; then each edits it offline.
    func edited(laptopText: String, tabletText: String) throws -> (Replica, Replica, Replica, ConversationID) {
        let server = try SyncSessionTests.server()
        let laptop = try SyncSessionTests.device(0xd1)
        let tablet = try SyncSessionTests.device(0xd2)
        _ = try LoopbackSync(device: laptop, server: server).run()
        let thread = try laptop.inbox()[0].id
        try laptop.saveDraft(thread, text: "Hi Juniper, the samples arrived on Tuesday. Thanks, Dana")
        for device in [laptop, tablet] { _ = try LoopbackSync(device: device, server: server).run() }
        try laptop.saveDraft(thread, text: laptopText)
        try tablet.saveDraft(thread, text: tabletText)
        for _ in 0..<2 { for device in [laptop, tablet] { _ = try LoopbackSync(device: device, server: server).run() } }
        return (server, laptop, tablet, thread)
    }

    @Test("edits of different parts merge three-way, on both devices alike, and send as one message")
    func nonOverlappingMerge() throws {
        let (server, laptop, tablet, thread) = try edited(
            laptopText: "Hi Juniper, the samples arrived on Tuesday in good shape. Thanks, Dana",
            tabletText: "Hello Juniper, the samples arrived on Tuesday. Thanks, Dana")
        let merged = "Hello Juniper, the samples arrived on Tuesday in good shape. Thanks, Dana"
        for device in [laptop, tablet] {
            let view = try device.draft(.conversation(thread))
            #expect(view.versions.count == 2, "both versions are kept: the merge is a reading, not a loss")
            #expect(view.merged == merged)
            #expect(!view.inConflict)
            #expect(try device.thread(thread, markRead: false).draftMerged == merged)
        }
        let sent = try laptop.sendDraft(.conversation(thread))
        _ = try LoopbackSync(device: laptop, server: server).run()
        _ = try LoopbackSync(device: tablet, server: server).run()
        let last = try #require(try tablet.thread(thread, markRead: false).messages.last)
        #expect(last.id == sent && last.body == merged)
        #expect(try tablet.draft(.conversation(thread)).versions.isEmpty, "the send superseded both versions")
    }

    @Test("edits of the same words stay side by side until the user resolves them")
    func overlappingConflict() throws {
        let (_, laptop, tablet, thread) = try edited(
            laptopText: "Hi Juniper, the samples arrived on Monday. Thanks, Dana",
            tabletText: "Hi Juniper, the samples arrived on Friday. Thanks, Dana")
        for device in [laptop, tablet] {
            let view = try device.draft(.conversation(thread))
            #expect(view.inConflict)
            #expect(view.merged == nil)
            #expect(Set(view.versions.map(\.text)) == ["Hi Juniper, the samples arrived on Monday. Thanks, Dana",
                                                       "Hi Juniper, the samples arrived on Friday. Thanks, Dana"])
        }
        #expect(throws: ReplicaError.self) { try laptop.sendDraft(.conversation(thread)) }
    }
}
