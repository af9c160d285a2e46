public import InboxModel
import SwiftProtobuf
import Synchronization

/// One op as bytes: the protobuf `OpBatch` of that single op (Protocol/WIRE_FORMAT.md, "Op
/// payloads"). Replicas store their journal this way, and a frame's `OpBatch` carries each op as
/// these same bytes, so an op is encoded once, by the replica that makes it, and travels unchanged
/// from journal to frame to journal (``EncodedOp``). Journals from before schema v6 may hold JSON;
/// the v6 migration rewrites them.
public enum OpPayload {
    public static func encode(_ op: Op) throws(WireError) -> [UInt8] {
        OpCodingTally.current?.count(encode: true)
        do {
            return try BatchEncoder.encode(op).serializedBytes()
        } catch {
            throw WireError.malformedPayload("cannot serialise op \(op.dot): \(error)")
        }
    }

    /// Decodes and checks one op: the checks of a frame's content, and the payload's own rules (one
    /// op, no batch number, no `more`, no nested payloads, no field this schema lacks), so that the
    /// bytes a replica stores and forwards say exactly what the checked op says.
    public static func decode(_ bytes: [UInt8]) throws(WireError) -> Op {
        OpCodingTally.current?.count(encode: false)
        let proto: Outpost_V1_OpBatch
        do {
            var options = BinaryDecodingOptions()
            options.messageDepthLimit = 16
            proto = try Outpost_V1_OpBatch(serializedBytes: bytes, options: options)
        } catch {
            throw WireError.malformedPayload("\(error)")
        }
        guard proto.ops.count == 1 else { throw WireError.invalidContent("an op payload holds \(proto.ops.count) ops") }
        guard proto.batch == 0, !proto.more, proto.payloads.isEmpty else {
            throw WireError.invalidContent("an op payload sets a frame's batch fields")
        }
        return try BatchDecoder(proto).decodeOne()
    }
}

/// Counts op encodes and decodes made by the current task (tests and benchmarks measure how many
/// times a synced op is encoded and decoded). Off unless bound with `OpCodingTally.$current`.
public final class OpCodingTally: Sendable {
    @TaskLocal public static var current: OpCodingTally?

    private let counts = Mutex((encodes: 0, decodes: 0))

    public init() {}

    public var encodes: Int { counts.withLock { $0.encodes } }
    public var decodes: Int { counts.withLock { $0.decodes } }

    func count(encode: Bool) {
        counts.withLock { value in
            if encode { value.encodes += 1 } else { value.decodes += 1 }
        }
    }
}
