import Causality
import InboxModel
@testable import Replica
import OutpostTestSupport
import Testing

@Suite("The search index merged after a catch-up: one segment, the same results")
struct SearchIndexMergeTests {
    @Test("many small batches leave many segments; a merge leaves one and finds the same rows",
          arguments: StoreKind.allCases)
    func mergeKeepsResults(kind: StoreKind) throws {
        let (store, seed) = try seededStore(kind)
        let replica = store.replica
        // No merging as rows come: each batch stays a segment of its own, as after a long sync.
        try SearchSegments.keepAll(replica)
        var server = seed.server
        for index in 0..<24 {
            let post = server.make(.user(World.dana.id), .postMessage(PostMessage(
                conversation: seed.invoice, body: "Payment run \(index) is scheduled")), at: World.base + 9_000 + UInt64(index))
            try replica.apply([post])
        }
        #expect(try SearchSegments.count(replica) >= 24)
        let before = try ["payment", "sched*", "run 7", "invoice"].map { try replica.search($0).map(\.id) }
        let digest = try replica.digest()

        #expect(try replica.mergeSearchIndex(pagesPerStep: 50) >= 2)
        #expect(try SearchSegments.count(replica) == 1)
        #expect(try ["payment", "sched*", "run 7", "invoice"].map { try replica.search($0).map(\.id) } == before)
        #expect(try replica.digest() == digest)
        #expect(try replica.verify().ok)
        // Nothing left to merge: one transaction that finds so.
        #expect(try replica.mergeSearchIndex() == 1)
    }

    @Test("merged only once enough received ops came since the last merge")
    func threshold() throws {
        let (store, seed) = try seededStore(.memory)
        let replica = store.replica
        var server = seed.server
        #expect(replica.unmergedOps.withLock { $0 } > 0, "the seed's ops count")
        try replica.mergeSearchIndex()
        #expect(replica.unmergedOps.withLock { $0 } == 0)
        #expect(try replica.mergeSearchIndexIfNeeded() == false)
        let ops = (0..<Replica.searchMergeThreshold).map { index in
            server.make(.user(World.dana.id), .postMessage(PostMessage(
                conversation: seed.invoice, body: "Reminder \(index)")), at: World.base + 9_000 + UInt64(index))
        }
        try replica.apply(Array(ops.prefix(Replica.searchMergeThreshold - 1)))
        #expect(try replica.mergeSearchIndexIfNeeded() == false)
        try replica.apply(Array(ops.suffix(1)))
        #expect(try replica.mergeSearchIndexIfNeeded() == true)
        #expect(replica.unmergedOps.withLock { $0 } == 0)
    }
}
