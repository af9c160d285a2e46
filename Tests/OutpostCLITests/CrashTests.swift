import Foundation
import InboxModel
import Replica
import Testing

/// Durability with real processes and real `kill -9` (Protocol/SPEC.md, "Invariants", 9): a device or the
/// server killed at any moment of a sync loses nothing that was acknowledged and doubles nothing;
/// an interrupted apply leaves the replica as it was before the batch; the next sync resumes and
/// everything converges.
///
/// The laptop's sync both pushes its own offline work and pulls the tablet's, each several batches
/// (bodies of about 4 KB: a batch carries about 2 MiB of text, some 500 ops). Each kill point gets
/// a fresh `outpost sync` process, so the sync advances from kill to kill; before each one the
/// test tops the work up when too little is left for the kill to land mid-sync.
@Suite("kill -9 of a device or the server at many points of a sync", .serialized)
struct CrashTests {
    @Test("kill -9 of a syncing device at 10 points: nothing acknowledged is lost, nothing doubled, the sync resumes")
    func killDevice() async throws {
        let rig = try await Rig()
        defer { rig.remove() }
        try rig.work(push: 2 * Rig.batchOps, pull: 4 * Rig.batchOps)

        // Start-up, connecting, the handshake and the first applies first, while the journal every
        // verify replays is small; then the kills that cut batches short.
        let points: [KillPoint] = [
            .after(milliseconds: 5), .after(milliseconds: 25), .after(milliseconds: 60), .after(milliseconds: 120),
            .after(milliseconds: 200), .after(milliseconds: 300), .serverCommitted, .acknowledged,
            .pulled(thenMilliseconds: 100), .pulled(thenMilliseconds: 0),
        ]
        var landed: [String] = []
        for point in points {
            try rig.topUp(for: point)
            var before = try rig.laptopReplica.info()
            let sync = try rig.laptop.start(["sync"])
            let reached = try await rig.reach(point, sync, laptopBefore: &before)
            if sync.kill9() && reached { landed.append("\(point)") }
            let context = "after the kill at \(point)"
            try await rig.checkLaptop(context, verify: true)
            try Rig.expectUnchangedUnlessAdvanced(rig.laptopReplica, since: before, context)
        }
        #expect(landed.count == points.count, "every kill hit a running sync: \(landed)")

        try await rig.converge()
    }

    @Test("kill -9 of the server at 5 points of a 1,000+ op push: what was acknowledged stays, the push resumes")
    func killServer() async throws {
        let rig = try await Rig()
        defer { rig.remove() }
        try rig.work(push: 2 * Rig.batchOps, pull: 0)

        let points: [KillPoint] = [
            .after(milliseconds: 60), .after(milliseconds: 250), .serverCommitted, .after(milliseconds: 500),
            .acknowledged,
        ]
        var landed: [String] = []
        for point in points {
            try rig.topUp(for: point)
            var laptopBefore = try rig.laptopReplica.info()
            let serverBefore = try rig.serverReplica.info()
            let sync = try rig.laptop.start(["sync"])
            let reached = try await rig.reach(point, sync, laptopBefore: &laptopBefore)
            let running = sync.isRunning
            rig.server.kill9()
            if reached && running { landed.append("\(point)") }
            // The device notices the dead server: no hang, and no claim of a finished sync that is not.
            let exited = try await sync.exited(within: .seconds(20))
            #expect(exited, "the device's sync hung after the server died at \(point)")
            if !exited { sync.kill9() }
            let result = try sync.finish()
            if result.status == 0 {
                #expect(try rig.laptopReplica.pendingOps() == 0, "a sync that exits 0 pushed everything")
            } else {
                #expect(result.stderr.contains("[connection_closed]") || result.stderr.contains("[unreachable]"),
                        "the device reports the lost server at \(point): \(result.stderr)")
            }
            let verify = try await rig.server.admin.runPolling(["replica", "verify", "--replica",
                                                                rig.server.brandReplicaPath], replica: false)
            #expect(verify.status == 0, "the server's brand replica after the kill at \(point): \(verify.stderr)")
            let context = "after the server's kill at \(point)"
            try Rig.expectUnchangedUnlessAdvanced(rig.serverReplica, since: serverBefore, context)
            try await rig.checkLaptop(context, verify: false)
            try await rig.server.start()
        }
        #expect(landed.count == points.count, "every kill hit a running sync: \(landed)")

        try await rig.converge()
    }
}

extension CrashTests {
    /// Where a kill lands.
    enum KillPoint: CustomStringConvertible {
        /// A fixed time after the sync process started: start-up, connecting, handshake, mid-apply.
        case after(milliseconds: Int)
        /// When the device has committed a batch it pulled, and then some more time (mid-apply of
        /// the next batch).
        case pulled(thenMilliseconds: Int)
        /// When the server has committed a batch the device pushed (mostly before the device has
        /// the ack).
        case serverCommitted
        /// When the device has recorded an ack.
        case acknowledged

        var description: String {
            switch self {
            case .after(let milliseconds): "\(milliseconds) ms after start"
            case .pulled(let then): then == 0 ? "a pulled batch committed" : "\(then) ms after a pulled batch committed"
            case .serverCommitted: "the server committed a pushed batch"
            case .acknowledged: "an ack recorded"
            }
        }
    }

    /// Progress read from the replica files while a sync runs.
    struct Progress {
        /// Ops of other replicas on the laptop.
        var pulled: Int
        /// The laptop's own ops on the server.
        var onServer: Int
        /// What the laptop has recorded as acknowledged.
        var acknowledged: Int
        /// The laptop's own ops the server has not acknowledged.
        var pending: Int
    }

    /// A server, Dana's laptop (the one killed or syncing through the kills) and her tablet (whose
    /// work the laptop pulls), and what they composed.
    final class Rig {
        /// About how many ops of ``bodyBytes`` fill a batch.
        static let batchOps = 500
        static let bodyBytes = 4_000

        let server: ServerProcess
        let laptop: Outpost
        let tablet: Outpost
        /// The laptop's and the server's files, opened by the test beside the processes writing them.
        let laptopReplica: Replica
        let serverReplica: Replica
        /// The laptop's own ops so far.
        private(set) var ownOps: Int
        /// What every replica holds once converged.
        private(set) var conversations: Int
        private(set) var messages: Int
        private var previous: Progress?
        private var rounds = 0

        init() async throws {
            server = try await ServerProcess.world()
            laptop = try server.enroll("dana")
            tablet = try server.enroll("dana")
            try laptop.ok(["sync"])
            try tablet.ok(["sync"])
            laptopReplica = try Replica.open(at: laptop.replicaPath)
            serverReplica = try Replica.open(at: server.brandReplicaPath)
            let info = try serverReplica.info()
            (conversations, messages) = (info.conversations, info.messages)
            ownOps = 0
        }

        func remove() {
            server.stop()
            laptop.remove()
            tablet.remove()
            server.admin.remove()
        }

        /// Offline work: `push` ops on the laptop, and `pull` ops on the tablet, synced up to the
        /// server for the laptop to pull.
        func work(push: Int, pull: Int) throws {
            guard push > 0 || pull > 0 else { return }
            rounds += 1
            if pull > 0 {
                try compose(on: tablet, tag: "tablet\(rounds)", count: pull)
                try tablet.ok(["sync"])
            }
            if push > 0 {
                try compose(on: laptop, tag: "laptop\(rounds)", count: push)
                ownOps += push
            }
        }

        /// Makes sure `point` can land mid-sync: enough left to push or to pull that the sync is
        /// still running when it comes (a sync with one batch left could end right after it).
        func topUp(for point: KillPoint) throws {
            let (toPull, toPush) = try left()
            let progress = try self.progress()
            let twoBatches = Self.batchOps * 3 / 2, threeBatches = Self.batchOps * 5 / 2
            func more(_ needed: Int, _ left: Int) -> Int { left >= needed ? 0 : max(needed - left, Self.batchOps) }
            switch point {
            case .after:
                try work(push: more(Self.batchOps, toPull + toPush), pull: 0)
            case .pulled(let then):
                // Then one more batch to be killed in, and one after it, so that the sync goes on.
                try work(push: 0, pull: more(then == 0 ? twoBatches : threeBatches, toPull))
            case .acknowledged where progress.onServer > progress.acknowledged:
                // The server has ops the laptop has not seen acknowledged: the next session's
                // first ack says so, and the pull goes on after it.
                try work(push: 0, pull: more(twoBatches, toPull))
            case .serverCommitted, .acknowledged:
                try work(push: more(twoBatches, toPush), pull: 0)
            }
        }

        /// `count` ops made on `device`'s file by the local actions `outpost compose` and `outpost
        /// reply` run: a new conversation, three replies in it, and so on.
        private func compose(on device: Outpost, tag: String, count: Int) throws {
            let replica = try Replica.open(at: device.replicaPath)
            let partner = try #require(PartnerID(rawValue: "p1-juniper"))
            var thread: ConversationID?
            for index in 0..<count {
                var text = "\(tag) message \(index):"
                var word = 0
                while text.utf8.count < Self.bodyBytes {
                    text += " \(tag)m\(index)w\(word) lorem ipsum dolor sit amet"
                    word += 1
                }
                if let thread, index % 4 != 0 {
                    try replica.reply(to: thread, text: text)
                } else {
                    thread = try replica.compose(to: partner, subject: "\(tag) \(index)", text: text)
                    conversations += 1
                }
                messages += 1
            }
        }

        /// What the laptop has yet to pull, and what the server has yet to get from it.
        func left() throws -> (toPull: Int, toPush: Int) {
            let progress = try self.progress()
            let serverOthers = try serverReplica.versionVector().entries
                .reduce(0) { $0 + ($1.key == laptopReplica.identity.replica ? 0 : Int($1.value)) }
            return (serverOthers - progress.pulled, ownOps - progress.onServer)
        }

        func progress() throws -> Progress {
            let me = laptopReplica.identity.replica
            let vector = try laptopReplica.versionVector()
            return Progress(pulled: vector.entries.reduce(0) { $0 + ($1.key == me ? 0 : Int($1.value)) },
                            onServer: Int(try serverReplica.versionVector()[me]),
                            acknowledged: Int(try laptopReplica.syncState().acknowledged[me]),
                            pending: try laptopReplica.pendingOps())
        }

        /// Waits until `point` is reached while `sync` runs; `false` if the sync ended first. When
        /// the point waits on after a pulled batch, `laptopBefore` becomes the laptop just after it.
        func reach(_ point: KillPoint, _ sync: OutpostProcess, laptopBefore: inout ReplicaInfo) async throws -> Bool {
            if case .after(let milliseconds) = point {
                try await Task.sleep(for: .milliseconds(milliseconds))
                return sync.isRunning
            }
            let start = try progress()
            let deadline = ContinuousClock.now + .seconds(30)
            while sync.isRunning && ContinuousClock.now < deadline {
                let now = try progress()
                switch point {
                case .after:
                    break
                case .pulled(let then) where now.pulled > start.pulled:
                    guard then > 0 else { return true }
                    laptopBefore = try laptopReplica.info()
                    try await Task.sleep(for: .milliseconds(then))
                    return sync.isRunning
                case .serverCommitted where now.onServer > start.onServer,
                     .acknowledged where now.acknowledged > start.acknowledged:
                    return true
                default:
                    break
                }
                try await Task.sleep(for: .milliseconds(2))
            }
            return false
        }

        /// The laptop after a kill: it passes verify (when it was the one killed); its own ops are
        /// all in its journal, each pending or acknowledged, and everything acknowledged is on the
        /// server; nothing is doubled, nothing committed went back.
        func checkLaptop(_ context: String, verify: Bool) async throws {
            if verify {
                let result = try await laptop.runPolling(["replica", "verify"])
                #expect(result.status == 0, "laptop replica verify \(context): \(result.stdout) \(result.stderr)")
            }
            let me = laptopReplica.identity.replica
            let info = try laptopReplica.info()
            #expect(info.versionVector[me] == UInt64(ownOps), "the laptop's own ops are all in its journal \(context)")
            #expect(info.journalOps == info.versionVector.entries.values.reduce(0) { $0 + Int($1) },
                    "the journal holds each dot once \(context)")
            #expect(info.heldOps == 0, "batches are causally closed: nothing held \(context)")
            #expect(info.messages <= messages && info.conversations <= conversations,
                    "nothing doubled \(context): \(info.messages) messages, \(info.conversations) conversations")
            let progress = try self.progress()
            #expect(progress.pending + progress.acknowledged == ownOps,
                    "each own op pending or acknowledged \(context)")
            #expect(progress.onServer >= progress.acknowledged, "everything acknowledged is on the server \(context)")
            if let previous {
                #expect(progress.acknowledged >= previous.acknowledged && progress.pulled >= previous.pulled
                        && progress.onServer >= previous.onServer, "nothing committed went back \(context)")
            }
            previous = progress
        }

        /// If `replica`'s vector is where it was in `before`, nothing of a batch cut short by the
        /// kill is left in it: it is exactly as it was (a commit always moves the vector).
        static func expectUnchangedUnlessAdvanced(_ replica: Replica, since before: ReplicaInfo,
                                                  _ context: String) throws {
            let now = try replica.info()
            guard now.versionVector == before.versionVector else { return }
            #expect(now.digest == before.digest && now.journalOps == before.journalOps
                    && now.messages == before.messages && now.conversations == before.conversations,
                    "an interrupted apply left \(replica.path ?? "") as it was before the batch \(context)")
        }

        /// The next sync completes, carrying just what the kills left; then the laptop, the tablet
        /// and the server hold the same state, with every message composed exactly once.
        func converge() async throws {
            struct Summary: Decodable { var received: Int; var sent: Int; var pending: Int }
            let (toPull, pending) = (try left().toPull, try progress().pending)
            let summary = try await laptop.jsonPolling(Summary.self, ["sync"])
            #expect(summary.received == toPull && summary.sent == pending && summary.pending == 0,
                    "the last sync resumed where the kills left it (\(toPull) to pull, \(pending) pending): \(summary)")
            try await tablet.okPolling(["sync"])
            try await laptop.okPolling(["sync"])
            try await checkLaptop("after the last sync", verify: false)
            let progress = try self.progress()
            #expect(progress.pending == 0 && progress.onServer == ownOps && progress.acknowledged == ownOps)
            let tabletReplica = try Replica.open(at: tablet.replicaPath)
            let digest = try laptopReplica.digest()
            #expect(try tabletReplica.digest() == digest, "Dana's two devices converge")
            #expect(try serverReplica.digest().state == digest.state, "the laptop converges with the server")
            for replica in [laptopReplica, tabletReplica, serverReplica] {
                let info = try replica.info()
                let held = "\(info.messages) messages in \(info.conversations) conversations"
                #expect(info.messages == messages && info.conversations == conversations,
                        "\(replica.path ?? ""): \(held), \(messages) in \(conversations) composed")
            }
        }
    }
}
