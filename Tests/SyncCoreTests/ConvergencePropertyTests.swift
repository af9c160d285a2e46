import Foundation
import Causality
import InboxModel
import Replica
import Testing
import Wire

/// Convergence as a property (cr-sqlite's test_sync_prop in Swift): devices make random changes
/// and sync at random; then every op is delivered to fresh replicas in random orders — causal and
/// not, with duplicates, in random batches. Every replica must reach the same state digest, and the
/// state must agree with a simple reference model. Failures print the seed; rerun with
/// OUTPOST_PROPERTY_SEED=seed to replay one case.
@Suite("Convergence property")
struct ConvergencePropertyTests {
    static var seeds: [UInt64] {
        if let text = ProcessInfo.processInfo.environment["OUTPOST_PROPERTY_SEED"], let seed = UInt64(text) {
            return [seed]
        }
        let runs = Int(ProcessInfo.processInfo.environment["OUTPOST_PROPERTY_RUNS"] ?? "") ?? 12
        return (1...UInt64(runs)).map { $0 &* 7919 }
    }

    @Test("random histories converge in any delivery order", arguments: seeds)
    func converge(seed: UInt64) throws {
        var rng = TestRandom(seed: seed)
        let server = try SyncSessionTests.server(conversations: 3)
        let devices = try (0..<3).map { index in
            try SyncSessionTests.device(0xd1 + UInt64(index), clockMs: 1_800_000_000_000 - UInt64(index) * 86_400_000)
        }
        for device in devices { _ = try LoopbackSync(device: device, server: server).run() }
        for _ in 0..<40 {
            let device = devices[rng.int(devices.count)]
            if rng.int(4) == 0 {
                _ = try LoopbackSync(device: device, server: server).run()
            } else {
                try RandomAction.perform(on: device, rng: &rng)
            }
        }
        for _ in 0..<2 { for device in devices { _ = try LoopbackSync(device: device, server: server).run() } }

        let expected = try server.digest().state
        for device in devices {
            #expect(try device.digest().state == expected, "seed \(seed): device \(device.identity.replica) diverged")
        }
        var all: [Op] = []
        try server.journal { all += $0 }

        for order in 0..<3 {
            let fresh = try SyncSessionTests.device(0xe0 + UInt64(order))
            var delivery = order == 0 ? all : all.shuffled(using: &rng)
            delivery += (0..<rng.int(8)).map { _ in all[rng.int(all.count)] }  // duplicates
            var index = 0
            while index < delivery.count {
                let size = 1 + rng.int(25)
                try fresh.apply(Array(delivery[index..<min(index + size, delivery.count)]))
                index += size
            }
            #expect(try fresh.info().heldOps == 0, "seed \(seed): ops still held")
            #expect(try fresh.digest().state == expected, "seed \(seed): delivery order \(order) diverged")
            try ReferenceModel(ops: all, viewer: SyncSessionTests.dana).check(fresh, seed: seed)
        }
    }
}

/// A seeded generator for the property tests.
struct TestRandom: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed ^ 0x5DEE_CE66_D1CE_4E5B }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(_ upper: Int) -> Int { Int(next() % UInt64(max(1, upper))) }
}

/// One random thing a user does on a device.
enum RandomAction {
    static func perform(on device: Replica, rng: inout TestRandom) throws {
        let threads = try device.inbox(InboxFilter(limit: 100)).filter { $0.kind != .system }
        guard !threads.isEmpty else { return }
        let thread = threads[rng.int(threads.count)].id
        let words = ["samples", "box", "Monday", "invoice", "thanks", "photos", "launch", "colours"]
        let text = (0..<(1 + rng.int(6))).map { _ in words[rng.int(words.count)] }.joined(separator: " ")
        switch rng.int(8) {
        case 0: try device.reply(to: thread, text: text)
        case 1: try device.markRead(thread)
        case 2: try device.markUnread(thread)
        case 3, 4: try device.saveDraft(thread, text: text)
        case 5:
            if (try? device.draft(.conversation(thread)))?.versions.count == 1 {
                try device.sendDraft(.conversation(thread))
            }
        case 6:
            if !(try device.draft(.conversation(thread))).versions.isEmpty { try device.discardDraft(.conversation(thread)) }
        default:
            try device.compose(to: SyncSessionTests.partner, subject: "About \(words[rng.int(words.count)])", text: text)
        }
    }
}

/// The inbox computed from a set of ops with plain dictionaries, independently of the replica's
/// SQL: which messages each conversation has and in what order, what is unread, which draft
/// versions are live.
struct ReferenceModel {
    var messages: [ConversationID: [(id: MessageID, stamp: HLCTimestamp, author: Principal)]] = [:]
    var marker: [ConversationID: [ReplicaID: UInt64]] = [:]
    var marks: [ConversationID: Set<Dot>] = [:]
    var cleared: Set<Dot> = []
    var draftVersions: [DraftKey: Set<Dot>] = [:]
    var superseded: Set<Dot> = []

    init(ops: [Op], viewer: UserID) {
        for op in ops {
            switch op.body {
            case .startConversation(let start):
                messages[ConversationID(op.dot), default: []].append((MessageID(op.dot), op.stamp, op.actor))
                if let draft = start.draft { _ = draft; superseded.formUnion(start.supersedes) }
            case .postMessage(let post):
                messages[post.conversation, default: []].append((MessageID(op.dot), op.stamp, op.actor))
                superseded.formUnion(post.supersedes)
            case .markRead(let read) where op.actor == .user(viewer):
                for dot in read.marker.dots {
                    marker[read.conversation, default: [:]][dot.replica] =
                        max(marker[read.conversation]?[dot.replica] ?? 0, dot.counter)
                }
                cleared.formUnion(read.clears)
            case .markUnread(let unread) where op.actor == .user(viewer):
                marks[unread.conversation, default: []].insert(op.dot)
            case .saveDraft(let save) where op.actor == .user(viewer):
                draftVersions[save.key, default: []].insert(op.dot)
                superseded.formUnion(save.supersedes)
            case .discardDraft(let discard) where op.actor == .user(viewer):
                superseded.formUnion(discard.supersedes)
            default:
                break
            }
        }
    }

    func check(_ replica: Replica, seed: UInt64) throws {
        let viewer = try #require(replica.identity.viewer)
        let rows = try replica.inbox(InboxFilter(limit: 1000))
        #expect(Set(rows.map(\.id)) == Set(messages.keys), "seed \(seed): conversations differ")
        for row in rows {
            let expected = (messages[row.id] ?? []).sorted { $0.stamp < $1.stamp }
            let thread = try replica.thread(row.id, markRead: false)
            #expect(thread.messages.map(\.id) == expected.map(\.id), "seed \(seed): thread \(row.id) order differs")
            let seen = marker[row.id] ?? [:]
            let unreadMessage = expected.contains { message in
                message.author != .user(viewer) && (seen[message.id.dot.replica] ?? 0) < message.id.dot.counter
            }
            let liveMarks = (marks[row.id] ?? []).subtracting(cleared)
            #expect(row.unread == (unreadMessage || !liveMarks.isEmpty), "seed \(seed): unread of \(row.id) differs")
            let versions = (draftVersions[.conversation(row.id)] ?? []).subtracting(superseded)
            let actual = Set(try replica.draft(.conversation(row.id)).versions.map(\.version))
            #expect(actual == versions, "seed \(seed): draft of \(row.id) differs")
        }
    }
}
