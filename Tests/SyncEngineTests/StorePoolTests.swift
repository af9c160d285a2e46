import Causality
import Dispatch
import Foundation
import InboxModel
import NIOPosix
import Replica
import SyncCore
import SyncEngine
import Synchronization
import Testing
import Wire

/// A driver's steps read and write its store (SQLite), which can wait: on a lock another process
/// holds, on a slow disk. With a store pool they wait on that pool's threads, never on Swift's
/// shared cooperative pool, which every session and request of a process shares.
@Suite("Store work off the shared pool")
struct StorePoolTests {
    /// A replica whose vector read waits for `gate` (at most 5 s, then counts a time-out).
    final class WaitingStore: SyncStore {
        let inner: Replica
        let gate: DispatchSemaphore
        let passed = Mutex(0)
        let timedOut = Mutex(0)

        init(_ inner: Replica, gate: DispatchSemaphore) {
            self.inner = inner
            self.gate = gate
        }

        func versionVector() throws -> VersionVector {
            if gate.wait(timeout: .now() + 5) == .timedOut { timedOut.withLock { $0 += 1 } }
            passed.withLock { $0 += 1 }
            return try inner.versionVector()
        }

        func encodedOps(missingFrom vector: VersionVector, limit: Int) throws -> (ops: [EncodedOp], more: Bool) {
            try inner.encodedOps(missingFrom: vector, limit: limit)
        }

        func applyBatch(_ ops: [EncodedOp], checkedBy scope: DeviceScope?, nowMs: UInt64) throws -> VersionVector {
            try inner.applyBatch(ops, checkedBy: scope, nowMs: nowMs)
        }
    }

    @Test("as many sessions as the shared pool has threads wait in their stores; a task on the pool still runs")
    func waitingStoresLeaveThePoolFree() async throws {
        // The shared pool has a thread per core: this many waiting sessions would take all of it.
        let sessions = ProcessInfo.processInfo.activeProcessorCount
        let gate = DispatchSemaphore(value: 0)
        let brand = BrandID(rawValue: "northwind")!
        let dana = UserID(rawValue: "dana")!
        var stores: [WaitingStore] = []
        var serverSides: [MemoryTransport] = []
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<sessions {
                let replica = try Replica.inMemory(identity: ReplicaIdentity(replica: ReplicaID(UInt64(0xd1 + index)),
                                                                             brand: brand, viewer: dana),
                                                   clock: FixedClock(milliseconds: 1_800_000_000_000))
                let store = WaitingStore(replica, gate: gate)
                stores.append(store)
                let (deviceSide, serverSide) = MemoryTransport.pair()
                serverSides.append(serverSide)
                let driver = SyncDriver(session: .device(replica: replica.identity.replica, brand: brand, user: dana),
                                        store: store, clock: FixedClock(milliseconds: 1_800_000_000_000))
                group.addTask {
                    // Ends when its peer closes, below.
                    try? await driver.run(over: deviceSide, untilCaughtUp: true, storePool: .store)
                }
            }
            // On the shared pool: opens the gate once per session. Were the sessions' stores
            // waiting on the shared pool's threads, this would only run after their 5 s time-outs.
            group.addTask {
                for _ in 0..<sessions { gate.signal() }
            }
            while stores.contains(where: { $0.passed.withLock { $0 } == 0 }) { try await Task.sleep(for: .milliseconds(5)) }
            for side in serverSides { await side.close() }
            try await group.waitForAll()
        }
        #expect(stores.map { $0.timedOut.withLock { $0 } } == Array(repeating: 0, count: sessions))
    }
}
