import Foundation
import InboxModel
import OutpostTestSupport
import Replica
import Testing

/// Durability with real processes and real `kill -9`: a device or the server killed at the
/// failpoints of a received batch, or where the files show a commit or an ack, loses nothing that
/// was acknowledged and doubles nothing;
/// an interrupted apply leaves the replica as it was before the batch; the next sync resumes and
/// everything converges.
///
/// The laptop's sync both pushes its own offline work and pulls the tablet's, each several batches
/// (bodies of about 4 KB: a batch carries about 2 MiB of text, some 500 ops). Each kill point gets
/// a fresh `outpost sync` process, so the sync advances from kill to kill; before each one the
/// test tops the work up when too little is left for the kill to land mid-sync.
@Suite("kill -9 of a device or the server at many points of a sync", .serialized, .timeLimit(.minutes(12)))
struct CrashTests {
    @Test("kill -9 of a syncing device at 10 points: nothing acknowledged is lost, nothing doubled, the sync resumes")
    func killDevice() async throws {
        let rig = try await Rig()
        defer { rig.remove() }
        try await rig.work(push: 2 * Rig.batchOps, pull: 4 * Rig.batchOps)

        // The device's own failpoints cut a pulled batch before its commit, after it, and after
        // its ack with more to come; the observed points land wherever the sync is when the test
        // sees the server's commit, the device's ack or a pulled batch.
        let points: [KillPoint] = [
            .failpoint("before-commit"), .failpoint("after-commit"), .failpoint("mid-batch"), .serverCommitted,
            .acknowledged, .pulled, .failpoint("before-commit"), .failpoint("mid-batch"), .failpoint("after-commit"),
            .pulled,
        ]
        var landed: [String] = []
        for point in points {
            try await rig.topUp(for: point, killing: .device)
            let before = try rig.laptopReplica.info()
            let sync = try await rig.laptop.start(["sync"], environment: point.environment)
            if try await rig.killDevice(sync, at: point) { landed.append("\(point)") }
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
        try await rig.work(push: 2 * Rig.batchOps, pull: 0)

        let points: [KillPoint] = [
            .failpoint("before-commit"), .failpoint("after-commit"), .serverCommitted, .failpoint("mid-batch"),
            .acknowledged,
        ]
        var landed: [String] = []
        for point in points {
            try await rig.topUp(for: point, killing: .server)
            if case .failpoint = point {
                await rig.server.stopAndWait()
                try await rig.server.start(environment: point.environment)
            }
            let laptopBefore = try rig.laptopReplica.info()
            let serverBefore = try rig.serverReplica.info()
            let sync = try await rig.laptop.start(["sync"])
            if try await rig.killServer(during: sync, at: point) { landed.append("\(point)") }
            // The device notices the dead server: no hang, and no claim of a finished sync that is not.
            let exited = try await sync.exited(within: .seconds(20))
            #expect(exited, "the device's sync hung after the server died at \(point)")
            if !exited { await sync.kill9() }
            let result = try await sync.finish()
            if result.status == 0 {
                #expect(try rig.laptopReplica.pendingOps() == 0, "a sync that exits 0 pushed everything")
            } else {
                #expect(result.stderr.contains("[connection_closed]") || result.stderr.contains("[unreachable]"),
                        "the device reports the lost server at \(point): \(result.stderr)")
            }
            let verify = try await rig.server.admin.run(["replica", "verify", "--replica", rig.server.brandReplicaPath],
                                                        replica: false)
            #expect(verify.status == 0, "the server's brand replica after the kill at \(point): \(verify.stderr)")
            let context = "after the server's kill at \(point)"
            try Rig.expectUnchangedUnlessAdvanced(rig.serverReplica, since: serverBefore, context)
            try Rig.expectUnchangedUnlessAdvanced(rig.laptopReplica, since: laptopBefore, context)
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
        /// The killed process's own failpoint (`OUTPOST_FAILPOINT`, Protocol/SCENARIOS.md): it kills
        /// itself at that point of the first batch it receives (`before-commit`, `after-commit`,
        /// `mid-batch`).
        case failpoint(String)
        /// When the device has committed a batch it pulled.
        case pulled
        /// When the server has committed a batch the device pushed (mostly before the device has
        /// the ack).
        case serverCommitted
        /// When the device has recorded an ack.
        case acknowledged

        /// The environment that arms the point in the process to be killed.
        var environment: [String: String] {
            if case .failpoint(let name) = self { ["OUTPOST_FAILPOINT": name] } else { [:] }
        }

        var description: String {
            switch self {
            case .failpoint(let name): "the failpoint \(name)"
            case .pulled: "a pulled batch committed"
            case .serverCommitted: "the server committed a pushed batch"
            case .acknowledged: "an ack recorded"
            }
        }
    }

    /// Which process a kill point kills.
    enum Victim { case device, server }

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
            laptop = try await server.enroll("dana")
            tablet = try await server.enroll("dana")
            try await laptop.ok(["sync"])
            try await tablet.ok(["sync"])
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
        func work(push: Int, pull: Int) async throws {
            guard push > 0 || pull > 0 else { return }
            rounds += 1
            if pull > 0 {
                try compose(on: tablet, tag: "tablet\(rounds)", count: pull)
                try await tablet.ok(["sync"])
            }
            if push > 0 {
                try compose(on: laptop, tag: "laptop\(rounds)", count: push)
                ownOps += push
            }
        }

        /// Makes sure `point` can land mid-sync: enough left to push or to pull that the sync is
        /// still running when it comes (a sync with one batch left could end right after it). A
        /// failpoint needs a batch received by the process it kills: a pull for the device, a push
        /// for the server, and one more behind it for `mid-batch`.
        func topUp(for point: KillPoint, killing victim: Victim) async throws {
            let (toPull, toPush) = try left()
            let progress = try self.progress()
            let twoBatches = Self.batchOps * 3 / 2
            func more(_ needed: Int, _ left: Int) -> Int { left >= needed ? 0 : max(needed - left, Self.batchOps) }
            switch point {
            case .failpoint(let name):
                let needed = name == "mid-batch" ? twoBatches : Self.batchOps
                switch victim {
                case .device: try await work(push: 0, pull: more(needed, toPull))
                case .server: try await work(push: more(needed, toPush), pull: 0)
                }
            case .pulled:
                // Then one more batch to be killed in, so that the sync goes on.
                try await work(push: 0, pull: more(twoBatches, toPull))
            case .acknowledged where progress.onServer > progress.acknowledged:
                // The server has ops the laptop has not seen acknowledged: the next session's
                // first ack says so, and the pull goes on after it.
                try await work(push: 0, pull: more(twoBatches, toPull))
            case .serverCommitted:
                try await work(push: more(twoBatches, toPush), pull: 0)
            case .acknowledged:
                // Pulls behind the pushes: the sync goes on after the last ack, for long enough
                // (eight batches) that the test, polling the files, sees an ack while it still
                // runs. Four were too few twice in six full runs once pushes stopped waiting for
                // the device's bookkeeping: the sync ended before a poll saw the ack.
                try await work(push: more(twoBatches, toPush), pull: more(8 * Self.batchOps, toPull))
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

        /// Kills the device's `sync` at `point`: for a failpoint, waits for it to kill itself there;
        /// otherwise waits until the replica files show the point, then kill -9. Whether the kill
        /// hit the sync at the point.
        func killDevice(_ sync: ChildProcess, at point: KillPoint) async throws -> Bool {
            guard case .failpoint(let name) = point else {
                let reached = try await reach(point, while: sync.isRunning)
                return await sync.kill9() && reached
            }
            let result = try await sync.finish()
            return result.stderr.contains("failpoint \(name) reached")
        }

        /// Kills the server while the device's `sync` runs, at `point`: an armed failpoint kills it
        /// itself (the test waits for its exit); otherwise kill -9 once the files show the point.
        func killServer(during sync: ChildProcess, at point: KillPoint) async throws -> Bool {
            guard case .failpoint(let name) = point else {
                let reached = try await reach(point, while: sync.isRunning)
                let running = sync.isRunning
                await server.kill9()
                return reached && running
            }
            let result = try #require(try await server.ended(within: .seconds(60)), "the server's \(name) never came")
            return result.stderr.contains("failpoint \(name) reached")
        }

        /// Waits until the replica files show `point` (not a failpoint), as long as `running`
        /// holds; `false` if it stopped holding first.
        private func reach(_ point: KillPoint, while running: @autoclosure () -> Bool) async throws -> Bool {
            let start = try progress()
            return try await eventually("\(point)") { () throws -> Bool? in
                guard running() else { return false }
                let now = try progress()
                switch point {
                case .pulled where now.pulled > start.pulled,
                     .serverCommitted where now.onServer > start.onServer,
                     .acknowledged where now.acknowledged > start.acknowledged:
                    return true
                default:
                    return nil
                }
            }
        }

        /// The laptop after a kill: it passes verify (when it was the one killed); its own ops are
        /// all in its journal, each pending or acknowledged, and everything acknowledged is on the
        /// server; nothing is doubled, nothing committed went back.
        func checkLaptop(_ context: String, verify: Bool) async throws {
            if verify {
                let result = try await laptop.run(["replica", "verify"])
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
            struct Summary: Decodable { var received: Int; var sent: Int; var acknowledged: Int; var pending: Int }
            let (toPull, before) = (try left().toPull, try progress())
            // Pending ops the server committed before a kill cut its acknowledgement: not sent again.
            let alreadyThere = before.onServer - before.acknowledged
            let summary = try await laptop.json(Summary.self, ["sync"])
            #expect(summary.received == toPull && summary.sent == before.pending - alreadyThere
                    && summary.acknowledged == before.pending && summary.pending == 0,
                    "the last sync resumed where the kills left it (\(toPull) to pull, \(before.pending) pending, \(alreadyThere) of them on the server): \(summary)")
            try await tablet.ok(["sync"])
            try await laptop.ok(["sync"])
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
