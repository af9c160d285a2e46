import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import InboxModel
@testable import InboxWeb
import OutpostTestSupport
import Replica
import Testing

/// The web UI's routes wait for SQLite on the store pool, never on Swift's shared pool: while
/// another process holds the replica's write lock, replies pile up waiting for it and a page that
/// needs no database still answers at once.
@Suite("Web UI store work off the shared pool", .timeLimit(.minutes(2)))
struct WebUIStorePoolTests {
    @Test("replies waiting for another process's write lock leave the shared pool free; each lands once the lock is gone")
    func writesWaitOffThePool() async throws {
        let world = try UIWorld()
        defer { world.cleanUp() }
        let id = try world.directConversation()
        let before = try world.replica.thread(id, markRead: false).messages.count
        let lock = try await SQLiteWriteLock.hold(try #require(world.replica.path), scratch: world.directory.path)
        defer { lock.release() }
        let writers = SQLiteWriteLock.contendingWriters
        try await world.app.test(.router) { client in
            let contention = try await lock.contend(writers: writers) { writer in
                var headers = UIWorld.formHeaders
                headers[HTTPField.Name("X-CSRF-Token")!] = "test-token"
                return try await client.execute(uri: "/threads/\(id)/reply", method: .post, headers: headers,
                                                body: UIWorld.form(["text": "waiting reply \(writer)"])) { $0.status }
            } probe: {
                try await client.execute(uri: "/static/app.css", method: .get) { response in
                    #expect(response.status == .ok)
                }
            }
            #expect(contention.finishedBeforeRelease == 0,
                    "a reply finished before the lock was released: it did not wait for SQLite")
            #expect(contention.results == Array(repeating: .seeOther, count: writers))
        }
        #expect(try await lock.finish())
        let texts = try world.replica.thread(id, markRead: false).messages.dropFirst(before).map(\.body)
        #expect(Set(texts) == Set((0..<writers).map { "waiting reply \($0)" }))
    }
}


