import Causality
import DemoHistory
import Foundation
import InboxModel
import Merge
import Replica
import SyncCore
import Wire

/// The data the wire benchmarks encode: built in memory from the demo generator, never from the
/// cached replica, and the same on every run (fixed seed and "now").
public enum WireData {
    /// The demo's fixed "now" (as `BenchConfig.demoNow`): 2026-01-01T00:00:00Z.
    public static let demoNow: UInt64 = 1_767_225_600_000
    public static let seed: UInt64 = 2026

    /// The timed batch: the first `count` ops of a 10,000-message demo history (partners, threads,
    /// inquiries, replies from three devices and the server, reads, deliveries, drafts).
    public static func demoBatch(count: Int = 10_000) -> [Op] {
        var generator = DemoGenerator(DemoOptions(messages: max(count, 1_000), seed: seed, now: demoNow))
        return generator.nextBatch(max: count) ?? []
    }

    /// The batch the benchmarks time: ``demoBatch(count:)``, or, when `OUTPOST_WIRE_CORPUS` names a
    /// prose file (see `wire_corpus.py`), the same ops with ~340-byte prose as message texts: the
    /// demo's texts are assembled from a few dozen sentences and deflate about 8x, real texts 3x.
    public static func timedBatch(count: Int = 10_000) throws -> (ops: [Op], texts: String) {
        let ops = demoBatch(count: count)
        guard let path = ProcessInfo.processInfo.environment["OUTPOST_WIRE_CORPUS"], !path.isEmpty else {
            return (ops, "demo texts")
        }
        let corpus = try String(contentsOfFile: path, encoding: .utf8)
        return (withTexts(ops, proseTexts(corpus: corpus, count: ops.count)), "prose texts")
    }

    /// `count` new messages (`postMessage` ops) as the demo history makes them: replies in many
    /// threads from the partners' side (server replica) and from three brand devices.
    public static func demoMessages(count: Int = 1_000) -> [Op] {
        var generator = DemoGenerator(DemoOptions(messages: max(10_000, count * 3), seed: seed, now: demoNow))
        var messages: [Op] = []
        while messages.count < count, let batch = generator.nextBatch(max: 5_000) {
            for op in batch where op.kind == .postMessage && messages.count < count { messages.append(op) }
        }
        return messages
    }

    /// The same ops with their message texts (`postMessage` and `startConversation` bodies) replaced
    /// by `texts`, in order (reused when short).
    public static func withTexts(_ ops: [Op], _ texts: [String]) -> [Op] {
        guard !texts.isEmpty else { return ops }
        return ops.enumerated().map { index, op in
            var copy = op
            switch op.body {
            case .postMessage(var post):
                post.body = texts[index % texts.count]
                copy.body = .postMessage(post)
            case .startConversation(var start):
                start.body = texts[index % texts.count]
                copy.body = .startConversation(start)
            default:
                break
            }
            return copy
        }
    }

    /// A replica id as `ReplicaID.random` makes them (any of 1…2^63-1): a phone of Dana's.
    public static let phone = ReplicaID(0x5c3e_91d2_7a4b_06f1)

    /// `count` read-state changes as a device makes them: Dana's phone receives the demo history and,
    /// after about half of the messages someone else writes, opens that thread; the op is what
    /// `ReadState.readingAll` gives there (the marker's new entries only, so 1–2 dots, and the
    /// *unread* marks it clears), with the deps and stamp the phone's replica would give it.
    public static func deviceReads(count: Int = 1_000) -> [Op] {
        var generator = DemoGenerator(DemoOptions(messages: max(10_000, count * 10), seed: seed, now: demoNow))
        let dana = Principal.user(DemoWorld.viewer.id)
        var rng = SplitMix(seed: seed)
        var applied = VersionVector()
        var context = VersionVector()
        var counter: UInt64 = 0
        var wall: UInt64 = 0
        var threads: [ConversationID: [MessageID]] = [:]
        var states: [ConversationID: ReadState] = [:]
        var reads: [Op] = []
        while reads.count < count, let batch = generator.nextBatch(max: 5_000) {
            for op in batch where reads.count < count {
                applied.advance(op.dot)
                let conversation: ConversationID
                switch op.body {
                case .startConversation:
                    conversation = ConversationID(op.dot)
                    threads[conversation] = [MessageID(op.dot)]
                case .postMessage(let post):
                    conversation = post.conversation
                    threads[conversation, default: []].append(MessageID(op.dot))
                case .markRead(let read):
                    states[read.conversation, default: ReadState()].apply(read)
                    continue
                case .markUnread(let unread):
                    states[unread.conversation, default: ReadState()].applyUnread(mark: op.dot)
                    continue
                default:
                    continue
                }
                guard op.actor != dana, rng.next() % 2 == 0,
                      let read = states[conversation, default: ReadState()].readingAll(
                          of: threads[conversation] ?? [], in: conversation)
                else { continue }
                counter += 1
                var others = applied
                others[phone] = 0
                let deps = others.dots(above: context)
                context.join(others)
                // Opened between 5 s and 10 min after the message came in.
                wall = max(wall + 1, op.stamp.wall + 5_000 + rng.next() % 595_000)
                let made = Op(dot: Dot(replica: phone, counter: counter),
                              stamp: HLCTimestamp(wall: wall, logical: 0, replica: phone),
                              deps: deps, actor: dana, body: .markRead(read))
                states[conversation, default: ReadState()].apply(read)
                applied.advance(made.dot)
                reads.append(made)
            }
        }
        return reads
    }

    /// A brand's replicas: the server and `devices` devices, with random 63-bit ids (as the server's
    /// enrollment hands them out, `ReplicaID.random`) or small ones handed out in order (1, 2, 3…).
    public static func brandReplicas(devices: Int, smallIDs: Bool) -> (server: ReplicaID, devices: [ReplicaID]) {
        var rng = SplitMix(seed: seed &+ UInt64(devices))
        if smallIDs { return (ReplicaID(1), (0..<devices).map { ReplicaID(UInt64($0 + 2)) }) }
        return (ReplicaID.random(using: &rng), (0..<devices).map { _ in ReplicaID.random(using: &rng) })
    }

    /// That brand's version vector: the server's counter about 1.2M, devices' up to 40,000; `bump`
    /// moves every entry (the other side's view, a little further on).
    public static func brandVector(devices: Int, smallIDs: Bool, bump: UInt64 = 0) -> VersionVector {
        let replicas = brandReplicas(devices: devices, smallIDs: smallIDs)
        var rng = SplitMix(seed: seed)
        var vector = VersionVector()
        vector[replicas.server] = 1_200_000 + bump * 3
        for id in replicas.devices { vector[id] = 1 + rng.next() % 40_000 + bump }
        return vector
    }

    /// The frames of one sync round for a device of that brand, as the real sessions write them
    /// (`SyncCore.SyncSession`, device and server): the device's Hello, the server's Welcome and
    /// its Ack of the device's one new op. Since the last round the device made that op and
    /// `writers` other devices each made one. `whole`: the device has no base, so its Hello and the
    /// Welcome carry whole vectors (a first sync, or a device the server has no base for); else
    /// the Hello is written against the vector both agreed last time (Protocol/SPEC.md, "Vector
    /// changes"). With `emptyVectors`, the same frames with empty vectors (to tell their share).
    public static func roundFrames(devices: Int, smallIDs: Bool, writers: Int = 1, whole: Bool = false,
                                   emptyVectors: Bool = false) throws -> [(String, [UInt8])] {
        let replicas = brandReplicas(devices: devices, smallIDs: smallIDs)
        let device = replicas.devices.first ?? phone
        let agreed = emptyVectors ? VersionVector() : brandVector(devices: devices, smallIDs: smallIDs)
        var have = agreed, serverHave = agreed
        if !emptyVectors {
            have.advance(Dot(replica: device, counter: agreed[device] + 1))
            for other in replicas.devices.dropFirst().prefix(writers) {
                serverHave.advance(Dot(replica: other, counter: agreed[other] + 1))
            }
        }
        let clock = demoNow + 123_456
        var deviceSession = SyncSession.device(replica: device, brand: DemoWorld.brand.id, user: DemoWorld.viewer.id)
        let opened = deviceSession.start(have: have, base: whole || emptyVectors ? nil : agreed, clockMs: clock)
        guard case .send(let hello)? = opened.first else { throw RoundError("the device sent no hello") }
        var serverSession = SyncSession.server(
            replica: replicas.server, device: DeviceScope(replica: device, brand: DemoWorld.brand.id, user: DemoWorld.viewer.id))
        _ = serverSession.receive(try FrameCodec.decode(try FrameCodec.encode(hello)), clockMs: clock)
        let answer = serverSession.vectorRead(have: serverHave, base: agreed, clockMs: clock + 40)
        guard case .send(let welcome)? = answer.first else { throw RoundError("the server sent no welcome") }
        // The server's Ack of the device's batch names the replicas the batch moved: the device's.
        var moved = VersionVector()
        if !emptyVectors { moved.advance(Dot(replica: device, counter: have[device])) }
        let ack = WireMessage.ack(Ack(have: moved, batch: 1))
        return [("hello", try FrameCodec.encode(hello)), ("welcome", try FrameCodec.encode(welcome)),
                ("ack", try FrameCodec.encode(ack))]
    }

    struct RoundError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// Texts of about `length` bytes cut at word boundaries from `corpus` (one paragraph of
    /// English prose a line), in order, so that neighbouring messages share no more than prose does.
    public static func proseTexts(corpus: String, count: Int, length: Int = 340) -> [String] {
        let words = corpus.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard words.count > 100 else { return [] }
        var texts: [String] = []
        var index = 0
        while texts.count < count {
            var text = ""
            while true {
                let word = words[index % words.count]
                if !text.isEmpty && text.utf8.count + 1 + word.utf8.count > length { break }
                text += text.isEmpty ? String(word) : " " + word
                index += 1
            }
            texts.append(text)
        }
        return texts
    }

    /// Texts of about `length` bytes of words drawn at random (by frequency) from `corpus`: no
    /// phrase ever repeats, so zlib finds less to share than in real messages (a pessimistic bound).
    public static func randomWordTexts(corpus: String, count: Int, length: Int = 340) -> [String] {
        let words = corpus.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard words.count > 100 else { return [] }
        var rng = SplitMix(seed: seed)
        return (0..<count).map { _ in
            var text = ""
            while true {
                let word = words[Int(rng.next() % UInt64(words.count))]
                if !text.isEmpty && text.utf8.count + 1 + word.utf8.count > length { break }
                text += text.isEmpty ? String(word) : " " + word
            }
            return text
        }
    }
}

/// A small seeded generator (SplitMix64), so that the data never depends on the run.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
