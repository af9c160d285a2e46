import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import InboxModel
@testable import InboxWeb
import Replica
import Testing

/// HEAD answers like GET, without the body, on every page and asset.
@Suite("Web UI HEAD requests")
struct WebUIHeadTests {
    @Test("HEAD on each GET route has GET's status and headers and no body")
    func headLikeGet() async throws {
        let world = try UIWorld()
        defer { world.cleanUp() }
        let thread = try world.directConversation()
        let partner = try #require(try world.replica.partners().first).partner.id
        let uris = ["/", "/inbox", "/inbox?unread=1", "/threads/\(thread)", "/partners", "/partners/\(partner)",
                    "/compose", "/drafts", "/static/app.css", "/static/app.js", "/threads/9:9"]
        try await world.app.test(.router) { client in
            for uri in uris {
                let get = try await client.execute(uri: uri, method: .get)
                let head = try await client.execute(uri: uri, method: .head)
                #expect(head.status == get.status, "\(uri)")
                #expect(head.status != .notFound || uri == "/threads/9:9", "\(uri)")
                #expect(head.body.readableBytes == 0, "\(uri)")
                for name in [HTTPField.Name.contentType, .location, .contentSecurityPolicy, .xFrameOptions] {
                    #expect(head.headers[name] == get.headers[name], "\(uri): \(name)")
                }
            }
        }
    }
}
