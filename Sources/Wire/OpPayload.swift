public import InboxModel
import SwiftProtobuf

/// One op as bytes: the protobuf `OpBatch` of that single op (Protocol/WIRE_FORMAT.md). Replicas
/// store their journal this way, so the journal, the wire and every other implementation share one
/// encoding and no op is ever written in another format (journals from before schema v5 hold
/// JSON, which is still read). The stored bytes are not sent as they are: a batch has one replica
/// and principal table for all its ops, so sending decodes each stored op and encodes it again
/// into the batch.
public enum OpPayload {
    public static func encode(_ op: Op) throws(WireError) -> [UInt8] {
        do {
            return try BatchEncoder.encode(OpBatch(batch: 0, ops: [op], more: false)).serializedBytes()
        } catch {
            throw WireError.malformedPayload("cannot serialise op \(op.dot): \(error)")
        }
    }

    /// Decodes and checks one op (the same checks as a frame's content).
    public static func decode(_ bytes: [UInt8]) throws(WireError) -> Op {
        let proto: Outpost_V1_OpBatch
        do {
            var options = BinaryDecodingOptions()
            options.messageDepthLimit = 16
            proto = try Outpost_V1_OpBatch(serializedBytes: bytes, options: options)
        } catch {
            throw WireError.malformedPayload("\(error)")
        }
        guard proto.ops.count == 1 else { throw WireError.invalidContent("an op payload holds \(proto.ops.count) ops") }
        return try BatchDecoder(proto).decode().ops[0]
    }
}
