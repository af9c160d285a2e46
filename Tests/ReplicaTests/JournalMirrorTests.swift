import Causality
import InboxModel
import OutpostTestSupport
@testable import Replica
import Synchronization
import Testing
import Wire

/// A log in memory that several replicas mirror (``JournalMirror``), as server nodes share the
/// brand log on PostgreSQL; each node's ``MemoryMirror`` can be told to fail.
final class MemoryLog: Sendable {
    struct State {
        var ops: [EncodedOp] = []
        var locked = false
    }
    let state = Mutex(State())
    var ops: [EncodedOp] { state.withLock { $0.ops } }
}

final class MemoryMirror: JournalMirror {
    enum Failure: Error { case injected }
    /// When to fail: before appending (nothing reaches the log) or after (the log has the ops,
    /// the replica's commit does not happen).
    enum FailAt { case none, beforeAppend, afterAppend }

    let log: MemoryLog
    let failAt = Mutex(FailAt.none)

    init(_ log: MemoryLog) { self.log = log }

    func begin(after position: UInt64) throws -> (ops: [EncodedOp], position: UInt64) {
        log.state.withLock { state in
            #expect(!state.locked, "one transaction holds the log's lock at a time")
            state.locked = true
            return (Array(state.ops.dropFirst(Int(position))), UInt64(state.ops.count))
        }
    }

    func commit(_ ops: [EncodedOp]) throws -> UInt64 {
        let failAt = failAt.withLock { $0 }
        return try log.state.withLock { state in
            defer { state.locked = false }
            if failAt == .beforeAppend { throw Failure.injected }
            state.ops += ops
            if failAt == .afterAppend { throw Failure.injected }
            return UInt64(state.ops.count)
        }
    }

    func abort() { log.state.withLock { $0.locked = false } }

    func read(after position: UInt64) throws -> (ops: [EncodedOp], position: UInt64) {
        log.state.withLock { (Array($0.ops.dropFirst(Int(position))), UInt64($0.ops.count)) }
    }
}

@Suite("Journal mirror: server nodes sharing one brand log")
struct JournalMirrorTests {
    /// Two server nodes (the same server replica id, as every node of one server has) on one log.
    func twoNodes() throws -> (a: Replica, b: Replica, mirrorA: MemoryMirror, log: MemoryLog, folder: TemporaryDirectory) {
        let folder = try TemporaryDirectory()
        let log = MemoryLog()
        let identity = World.identity(World.server, viewer: nil)
        let mirrorA = MemoryMirror(log)
        let a = try Replica.create(at: folder.path("a.sqlite"), identity: identity, clock: World.deviceClock, mirror: mirrorA)
        let b = try Replica.create(at: folder.path("b.sqlite"), identity: identity, clock: World.deviceClock,
                                   mirror: MemoryMirror(log))
        return (a, b, mirrorA, log, folder)
    }

    @Test("what one node writes reaches the log and the other node; server ops never reuse a dot")
    func sharedLog() throws {
        let (a, b, _, log, _folder) = try twoNodes()
        _ = _folder
        let brand = try a.performServerOp(.setBrand(World.brand))
        #expect(log.ops.map(\.dot) == [brand.dot])
        // B writes without catching up first: its write starts by applying what the log has.
        let dana = try b.performServerOp(.upsertUser(World.dana))
        #expect(dana.dot == Dot(replica: World.server, counter: 2), "the next dot after A's, not a second first one")
        #expect(log.ops.map(\.dot) == [brand.dot, dana.dot])
        #expect(try a.catchUpWithMirror() == 1)
        #expect(try a.catchUpWithMirror() == 0)
        #expect(try a.digest() == b.digest())
        #expect(try a.mirrorPosition() == 2 && b.mirrorPosition() == 2)
        #expect(try a.verify().ok && b.verify().ok)
    }

    @Test("a device's batch applied on one node is in the log, checked against everything the log holds")
    func deviceBatch() throws {
        let (a, b, _, log, _folder) = try twoNodes()
        _ = _folder
        let seed = Seed()
        // The seed arrives through B, as another device's batch would.
        #expect(try b.apply(seed.ops) == ApplyReport(applied: seed.ops.count))
        var laptop = OpMaker(replica: World.laptop)
        let reply = laptop.make(.user(World.dana.id), .postMessage(PostMessage(conversation: seed.invoice, body: "Paid today.")),
                                at: World.base + 9_000, deps: [seed.ops.last!.dot])
        // A has never caught up, yet the check it runs sees the seed (the reply's deps are there).
        var vectorSeen: VersionVector?
        let report = try a.apply([try EncodedOp(reply)]) { vector in
            vectorSeen = vector
            return nil
        }
        #expect(report == ApplyReport(applied: 1), "the seed it caught up with is not counted as the batch's")
        #expect(vectorSeen?[World.server] == UInt64(seed.ops.count))
        #expect(log.ops.count == seed.ops.count + 1 && log.ops.last?.dot == reply.dot)
        #expect(try b.catchUpWithMirror() == 1)
        #expect(try a.digest() == b.digest())
    }

    @Test("the log refuses: the replica's transaction rolls back, and the next write goes on")
    func logFailure() throws {
        let (a, _, mirrorA, log, _folder) = try twoNodes()
        _ = _folder
        try a.performServerOp(.setBrand(World.brand))
        let digest = try a.digest()
        mirrorA.failAt.withLock { $0 = .beforeAppend }
        #expect(throws: (any Error).self) { try a.performServerOp(.upsertUser(World.dana)) }
        #expect(try a.digest() == digest)
        #expect(try a.journalOps().count == 1 && log.ops.count == 1)
        mirrorA.failAt.withLock { $0 = .none }
        let dana = try a.performServerOp(.upsertUser(World.dana))
        #expect(dana.dot.counter == 2 && log.ops.count == 2)
    }

    @Test("the log committed but the replica did not (a crash between): the op comes back from the log")
    func crashBetweenCommits() throws {
        let (a, b, mirrorA, log, _folder) = try twoNodes()
        _ = _folder
        try a.performServerOp(.setBrand(World.brand))
        mirrorA.failAt.withLock { $0 = .afterAppend }
        #expect(throws: (any Error).self) { try a.performServerOp(.upsertUser(World.dana)) }
        #expect(try a.journalOps().count == 1, "rolled back here")
        #expect(log.ops.count == 2, "but in the log")
        mirrorA.failAt.withLock { $0 = .none }
        let sam = try a.performServerOp(.upsertUser(World.sam))
        #expect(sam.dot.counter == 3, "the op the log kept was applied first")
        #expect(try a.journalOps().map(\.dot.counter) == [1, 2, 3])
        try b.catchUpWithMirror()
        #expect(try a.digest() == b.digest())
        #expect(try a.journalOps().map(\.dot) == b.journalOps().map(\.dot))
    }
}
