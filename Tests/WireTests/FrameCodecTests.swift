import Causality
import InboxModel
import Testing
@testable import Wire

@Suite("Frame codec")
struct FrameCodecTests {
    static let server = ReplicaID(1)
    static let laptop = ReplicaID(0xd1)

    static func sampleOps(count: Int = 3) -> [Op] {
        var ops: [Op] = []
        let conversation = ConversationID(Dot(replica: server, counter: 1))
        ops.append(Op(
            dot: Dot(replica: server, counter: 1), stamp: HLCTimestamp(wall: 1_700_000_000_000, logical: 0, replica: server),
            deps: [], actor: .partner(PartnerID(rawValue: "p1")!),
            body: .startConversation(StartConversation(kind: .direct, partner: PartnerID(rawValue: "p1")!,
                                                       subject: "Samples", body: "The samples arrived."))))
        for index in 1..<count {
            ops.append(Op(
                dot: Dot(replica: laptop, counter: UInt64(index)),
                stamp: HLCTimestamp(wall: 1_700_000_000_000 + UInt64(index) * 1000, logical: 0, replica: laptop),
                deps: index == 1 ? [Dot(replica: server, counter: 1)] : [], actor: .user(UserID(rawValue: "dana")!),
                body: .postMessage(PostMessage(conversation: conversation, body: "Reply number \(index)."))))
        }
        return ops
    }

    @Test("every message kind round-trips", arguments: [false, true])
    func roundTrip(compress: Bool) throws {
        var vector = VersionVector()
        vector.advance(Dot(replica: Self.server, counter: 7))
        let messages: [WireMessage] = [
            .hello(Hello(replica: Self.laptop, brand: BrandID(rawValue: "northwind")!, user: UserID(rawValue: "dana"),
                         have: vector, clockMs: 42)),
            .welcome(Welcome(serverReplica: Self.server, have: vector, clockMs: 43)),
            .ops(try OpBatch(batch: 1, encoding: Self.sampleOps(), more: true)),
            .ack(Ack(have: vector, batch: 1)),
            .error(ErrorFrame(code: .invalidOp, message: "no", retryable: false)),
        ]
        for message in messages {
            let bytes = try FrameCodec.encode(message, compress: compress)
            #expect(try FrameCodec.decode(bytes) == message)
        }
    }

    @Test("small frames stay uncompressed, large ones are deflated")
    func compressionThreshold() throws {
        let small = try FrameCodec.encode(.ack(Ack(have: VersionVector(), batch: 1)))
        #expect(small[5] == 0)
        let large = try FrameCodec.encode(.ops(try OpBatch(batch: 1, encoding: Self.sampleOps(count: 200), more: false)))
        #expect(large[5] == 1)
    }
}
