import Causality
import InboxModel
import Testing
@testable import Wire

/// Counters, ids and times from outside are range-checked where they enter: every id parser, every
/// op field, every vector on the wire (a counter of 2^63 once trapped in
/// `Int64(_:)` and took the server down). Nothing here may trap; everything out of range is refused.
@Suite("Extreme integers in ids, ops and frames")
struct ExtremeIntegerTests {
    /// Values at and around every boundary a conversion could trap on.
    static let extremes: [UInt64] = [0, 1, UInt64(Int64.max) - 1, UInt64(Int64.max), UInt64(Int64.max) + 1,
                                     UInt64(UInt32.max), UInt64(UInt32.max) + 1, UInt64.max - 1, UInt64.max]

    @Test("every id parser takes counters 1…Int64.max and refuses the rest, whatever the digits")
    func idParsers() {
        for counter in Self.extremes {
            let valid = counter >= 1 && counter <= UInt64(Int64.max)
            for replica in ["1", "7fffffffffffffff"] {
                let text = "\(replica):\(counter)"
                #expect((Dot(text: text) != nil) == valid, "\(text)")
                #expect((ConversationID(text: text) != nil) == valid, "\(text)")
                #expect((MessageID(text: text) != nil) == valid, "\(text)")
                #expect((DraftKey(text: text) != nil) == valid, "\(text)")
                #expect((DraftKey(text: "new:" + text) != nil) == valid, "new:\(text)")
            }
            #expect((ReplicaID(text: String(counter, radix: 16)) != nil) == valid, "replica \(counter)")
        }
        for text in ["8000000000000000:1", "ffffffffffffffff:1", "10000000000000000:1", "1:" + String(repeating: "9", count: 40),
                     "1:+5", "1:-5", "1: 5", "1:٥", "1:5.0", "1:0x5", "1:", ":1", "1:1:1", "new:new:1:1"] {
            #expect(Dot(text: text) == nil, "\(text)")
            #expect(DraftKey(text: text) == nil, "\(text)")
        }
    }

    @Test("random counters: the text form parses back exactly when in range")
    func randomCounters() {
        var rng = SplitMix64(seed: 11)
        for _ in 0..<20_000 {
            // Half the draws near the top of the range, where the conversions used to trap.
            let counter = rng.chance(0.5) ? UInt64.max - rng.next() % 1_000 : rng.next() >> (rng.next() % 64)
            let replica = ReplicaID(1 + rng.next() % UInt64(Int64.max))
            let parsed = Dot(text: "\(replica):\(counter)")
            if counter >= 1 && counter <= Dot.maxCounter {
                #expect(parsed == Dot(replica: replica, counter: counter))
            } else {
                #expect(parsed == nil, "\(counter)")
            }
        }
    }

    @Test("an op with any dot, time or counter out of range fails its checks and never decodes from the wire")
    func everyOpField() throws {
        var variants = 0
        for op in WireVectorTests.everyKind {
            for bad in Self.extremeVariants(of: op) {
                variants += 1
                #expect(throws: OpValidationError.self, "\(bad.body)") { try bad.validate() }
                // The sender does not check; the receiver must refuse (frame_invalid), not trap.
                let frame = try FrameCodec.encode(.ops(try OpBatch(batch: 1, encoding: [bad], more: false)))
                #expect(throws: WireError.self) { try FrameCodec.decode(frame) }
                do {
                    _ = try FrameCodec.decode(frame)
                } catch {
                    #expect(error.code == .frameInvalid, "\(error)")
                }
            }
        }
        #expect(variants > 40)
    }

    @Test("vectors with a counter over Int64.max, in Hello, Welcome and Ack, are refused")
    func vectors() throws {
        for counter in [UInt64(Int64.max) + 1, UInt64.max] {
            let have = VersionVector([ReplicaID(1): counter, ReplicaID(2): 5])
            for message in [WireMessage.hello(Hello(replica: ReplicaID(2), brand: BrandID(rawValue: "b")!, user: nil,
                                                    have: have, clockMs: 0)),
                            .welcome(Welcome(serverReplica: ReplicaID(1), have: have, clockMs: 0)),
                            .ack(Ack(have: have, batch: UInt64.max))] {
                let frame = try FrameCodec.encode(message)
                #expect(throws: WireError.invalidContent("version vector counter \(counter) is out of range")) {
                    try FrameCodec.decode(frame)
                }
            }
        }
        // At the top of the range it is fine.
        let top = VersionVector([ReplicaID(UInt64(Int64.max)): UInt64(Int64.max)])
        let frame = try FrameCodec.encode(.ack(Ack(have: top, batch: UInt64.max)))
        #expect(try FrameCodec.decode(frame) == .ack(Ack(have: top, batch: UInt64.max)))
    }

    /// `op` with each of its dots in turn set to an out-of-range counter, and with out-of-range
    /// times.
    static func extremeVariants(of op: Op) -> [Op] {
        var result: [Op] = []
        for counter in [UInt64(Int64.max) + 1, UInt64.max] {
            var own = op
            own.dot = Dot(replica: op.dot.replica, counter: counter)
            result.append(own)
            let dots = op.referencedDots + op.deps
            for index in dots.indices {
                var seen = 0
                result.append(mapDots(op) { dot in
                    defer { seen += 1 }
                    return seen == index ? Dot(replica: dot.replica, counter: counter) : dot
                })
            }
        }
        for wall in [OpLimits.maxWall + 1, UInt64(Int64.max), UInt64.max] {
            var bad = op
            bad.stamp = HLCTimestamp(wall: wall, logical: UInt32.max, replica: op.stamp.replica)
            result.append(bad)
            switch op.body {
            case .upsertPartner(var partner):
                partner.statusSince = wall
                var timed = op
                timed.body = .upsertPartner(partner)
                result.append(timed)
            case .startConversation(var start) where start.inquiry != nil:
                start.inquiry?.askedAt = wall
                var timed = op
                timed.body = .startConversation(start)
                result.append(timed)
            default:
                break
            }
        }
        return result
    }

    /// `op` with every dot of its body, then of its deps, passed through `transform` in the order of
    /// ``Op/referencedDots`` followed by `deps`.
    static func mapDots(_ op: Op, _ transform: (Dot) -> Dot) -> Op {
        var op = op
        func key(_ key: DraftKey) -> DraftKey {
            switch key {
            case .conversation(let id): .conversation(ConversationID(transform(id.dot)))
            case .compose(let dot): .compose(transform(dot))
            }
        }
        switch op.body {
        case .setBrand, .upsertUser, .upsertPartner, .redacted:
            break
        case .startConversation(var start):
            start.draft = start.draft.map(key)
            start.supersedes = start.supersedes.map(transform)
            op.body = .startConversation(start)
        case .postMessage(var post):
            post.conversation = ConversationID(transform(post.conversation.dot))
            post.supersedes = post.supersedes.map(transform)
            op.body = .postMessage(post)
        case .markRead(var read):
            read.conversation = ConversationID(transform(read.conversation.dot))
            var marker = VersionVector()
            for dot in read.marker.dots {
                let mapped = transform(dot)
                marker[mapped.replica] = mapped.counter
            }
            read.marker = marker
            read.clears = read.clears.map(transform)
            op.body = .markRead(read)
        case .markUnread(var unread):
            unread.conversation = ConversationID(transform(unread.conversation.dot))
            op.body = .markUnread(unread)
        case .saveDraft(var save):
            save.key = key(save.key)
            save.supersedes = save.supersedes.map(transform)
            op.body = .saveDraft(save)
        case .discardDraft(var discard):
            discard.key = key(discard.key)
            discard.supersedes = discard.supersedes.map(transform)
            op.body = .discardDraft(discard)
        case .setDelivery(var delivery):
            delivery.message = MessageID(transform(delivery.message.dot))
            op.body = .setDelivery(delivery)
        }
        op.deps = op.deps.map(transform)
        return op
    }
}
