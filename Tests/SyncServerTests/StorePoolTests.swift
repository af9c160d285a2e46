import Foundation
import Hummingbird
import HummingbirdTesting
import InboxModel
import NIOCore
import OutpostTestSupport
import Replica
import ServerAPI
import Testing
@testable import SyncServer

/// The server's routes wait for SQLite on the store pool, never on Swift's shared pool: while
/// another process (an `outpost admin` command, say) holds a brand replica's write lock, partner
/// writes pile up waiting for it, and requests that need no write still answer at once.
@Suite("Server store work off the shared pool", .timeLimit(.minutes(2)))
struct StorePoolTests {
    @Test("partner writes waiting for another process's write lock leave the shared pool free; each lands once the lock is gone")
    func writesWaitOffThePool() async throws {
        let world = try TestWorld()
        defer { world.cleanUp() }
        let token = try world.store.makePartnerToken(brand: TestWorld.northwind, partner: TestWorld.partner, name: "t")
        let brand = try world.brandReplica()
        let lock = try await SQLiteWriteLock.hold(try #require(brand.path), scratch: world.directory)
        defer { lock.release() }
        let writers = SQLiteWriteLock.contendingWriters
        try await world.app.test(.router) { client in
            let contention = try await lock.contend(writers: writers) { writer in
                try await client.execute(
                    uri: "/v1/partner/conversations", method: .post, headers: [.authorization: "Bearer \(token)"],
                    body: ByteBuffer(string: #"{"subject":"Waiting \#(writer)","text":"Stuck behind a lock"}"#)).status
            } probe: {
                #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
                // A token lookup and a read of the brand replica: the lock holds neither back.
                let list = try await client.execute(uri: "/v1/partner/conversations", method: .get,
                                                    headers: [.authorization: "Bearer \(token)"])
                #expect(list.status == .ok)
            }
            #expect(contention.finishedBeforeRelease == 0,
                    "a write finished before the lock was released: it did not wait for SQLite")
            #expect(contention.results == Array(repeating: .created, count: writers))
        }
        #expect(try await lock.finish())
        let subjects = try brand.inbox(InboxFilter(limit: 100)).compactMap(\.subject).filter { $0.hasPrefix("Waiting ") }
        #expect(Set(subjects) == Set((0..<writers).map { "Waiting \($0)" }))
    }
}
