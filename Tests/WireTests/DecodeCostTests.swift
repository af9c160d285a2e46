import Causality
import InboxModel
import Testing
@testable import Wire

/// What a frame costs to decode is bounded by its size (a 49 KB Hello of two
/// million empty vector entries took 1.5 s and 200 MB to refuse; a valid 526,000-entry vector was
/// accepted). The payload scan measures before SwiftProtobuf builds anything.
@Suite("Decode cost is bounded by frame size")
struct DecodeCostTests {
    static func field(_ number: UInt64, _ value: [UInt8]) -> [UInt8] { BadFrameTests.field(number, value) }

    /// A deflated frame around `payload` plus `noise` random bytes in an unknown field (so that the
    /// compression ratio stays under the bomb limit, as an attacker would make it).
    static func frame(_ payload: [UInt8], noise: Int = 0, opCount: UInt32 = 0) throws -> [UInt8] {
        var rng = SplitMix64(seed: 5)
        let padded = payload + (noise > 0 ? field(99, (0..<noise).map { _ in UInt8(truncatingIfNeeded: rng.next()) }) : [])
        return try RawFrame(deflating: padded, opCount: opCount).bytes
    }

    @Test("a Hello of 1.9 million empty vector entries, 50 KB on the wire, is refused before it is built")
    func emptyEntryBomb() throws {
        let entries = Array([[UInt8]](repeating: [0x0A, 0x00], count: 1_900_000).joined())
        let hello = Self.field(1, Self.field(5, entries))
        let bytes = try Self.frame(hello, noise: 48 * 1024)
        #expect(bytes.count < 100_000)
        expectRefused(bytes, code: "frame_too_large") {
            $0 == .tooLarge(what: "version vector entries", size: 1_900_000, limit: OpLimits.maxReplicasPerBrand)
        }
    }

    @Test("a valid vector larger than a brand can have is refused; one at the limit decodes")
    func vectorSize() throws {
        func hello(_ count: Int) throws -> [UInt8] {
            let have = VersionVector(Dictionary(uniqueKeysWithValues: (1...count).map { (ReplicaID(UInt64($0)), UInt64(1)) }))
            return try FrameCodec.encode(.hello(Hello(replica: ReplicaID(1), brand: BrandID(rawValue: "b")!, user: nil,
                                                      have: have, clockMs: 1)))
        }
        expectRefused(try hello(OpLimits.maxReplicasPerBrand + 1), code: "frame_too_large") {
            $0 == .tooLarge(what: "version vector entries", size: OpLimits.maxReplicasPerBrand + 1,
                            limit: OpLimits.maxReplicasPerBrand)
        }
        guard case .hello(let decoded) = try FrameCodec.decode(try hello(OpLimits.maxReplicasPerBrand)) else {
            Issue.record("not a hello")
            return
        }
        #expect(decoded.have.entries.count == OpLimits.maxReplicasPerBrand)
    }

    @Test("an op of a million empty deps is over the field budget of its size")
    func fieldBudget() throws {
        let deps = Array([[UInt8]](repeating: [0x2A, 0x00], count: 1_000_000).joined())
        let op = Self.field(6, [0x10, 0x01] + deps)
        let batch = Self.field(3, op)
        let bytes = try Self.frame(batch, noise: 32 * 1024, opCount: 1)
        let budget = WireLimits.default.fieldBudget(wireBytes: bytes.count - FrameCodec.headerSize)
        expectRefused(bytes, code: "frame_too_large") { error in
            guard case .tooLarge(let what, let size, let limit) = error else { return false }
            return what == "protobuf field count" && size > 1_000_000 && limit == budget
        }
    }

    @Test("the scan counts what the protobuf decoder builds: every frame of the vectors is within budget")
    func vectorsWithinBudget() throws {
        for (name, (_, message)) in WireVectorTests.definitions {
            let bytes = try FrameCodec.encode(message)
            let payload: [UInt8] = try ProtoConversion.frame(message).serializedBytes()
            let shape = PayloadScan.scan(payload)
            #expect(shape.fields > 0 || payload.isEmpty, "\(name)")
            #expect(shape.fields <= WireLimits.default.fieldBudget(wireBytes: bytes.count - FrameCodec.headerSize))
            #expect(try FrameCodec.decode(bytes) == message, "\(name)")
        }
    }

    @Test("finding the frames of a body is linear, and stops past the most a request may hold")
    func frameRanges() throws {
        let tiny = try FrameCodec.encode(.ack(Ack(have: VersionVector(), batch: 0)))
        let body = Array([[UInt8]](repeating: tiny, count: 349_000).joined())
        #expect(try FrameCodec.frameRanges(body, maxFrames: 2) == nil)
        let ranges = try #require(try FrameCodec.frameRanges(body, maxFrames: .max))
        #expect(ranges.count == 349_000)
        #expect(ranges.last == (body.count - tiny.count)..<body.count)
        #expect(try FrameCodec.frameRanges(tiny + tiny, maxFrames: 2)?.count == 2)
        #expect(throws: WireError.truncated(expected: FrameCodec.headerSize, got: 3)) {
            try FrameCodec.frameRanges(tiny + [1, 2, 3], maxFrames: 5)
        }
    }
}
