import Causality
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import InboxModel
@testable import InboxWeb
import OutpostTestSupport
import Replica
import Testing

@Suite("Web UI: a reply to a partner who left")
struct WebUIPartnerLeftTests {
    @Test("the reply is refused with 409 and a clear message; the text is kept as the thread's draft")
    func replyRefused() async throws {
        let world = try UIWorld()
        defer { world.cleanUp() }
        let id = try world.directConversation()
        var partner = try world.replica.thread(id, markRead: false).partner.partner
        partner.status = .ended
        // From a server replica of its own, so that its first dot is new to the demo replica.
        var platform = OpMaker(replica: ReplicaID(2), wall: 1_900_000_000_000)
        try world.replica.apply([platform.make(.platform, .upsertPartner(partner))])
        let before = try world.replica.thread(id, markRead: false).messages.count
        try await world.app.test(.router) { client in
            try await client.execute(uri: "/threads/\(id)/reply", method: .post, headers: UIWorld.formHeaders,
                                     body: UIWorld.form(["text": "Are you still there?", "_csrf": "test-token"])) { response in
                #expect(response.status == .conflict)
                let html = String(buffer: response.body)
                #expect(html.contains("has left the platform") && html.contains("kept as this thread"), "\(html)")
            }
        }
        #expect(try world.replica.thread(id, markRead: false).messages.count == before)
        #expect(try world.replica.draft(.conversation(id)).text == "Are you still there?")
    }
}
