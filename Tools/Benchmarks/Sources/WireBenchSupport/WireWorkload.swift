import Causality
import InboxModel
import SwiftProtobuf
import Wire

/// One timed step of the wire benchmarks. `codec` is Outpost's `FrameCodec`; the others are the
/// raw baselines on the same bytes: swift-protobuf on the same generated `Outpost_V1_Frame` (the
/// file is a symlink to the one Wire compiles) and zlib at the same level.
public enum WireStep: String, CaseIterable, Sendable {
    /// `FrameCodec.encode(.ops(batch))` of a batch of op payloads (as journals store them): the
    /// frame's protobuf around the payloads, deflate, header and CRC. No op is encoded.
    case encodeCodec = "encode.codec"
    /// The same with `compress: false`: everything but deflate.
    case encodeCodecStored = "encode.codec-stored"
    /// `serializedBytes()` of the already built proto `Frame`.
    case encodeProtobuf = "encode.protobuf"
    /// zlib deflate (level 6) of those protobuf bytes.
    case encodeZlib = "encode.zlib"
    /// Both: what the codec does minus conversion, header and CRC.
    case encodeProtobufZlib = "encode.protobuf-zlib"
    /// `FrameCodec.decode(frame)`: header checks, inflate, CRC, op scan, protobuf decode, proto →
    /// model with every check.
    case decodeCodec = "decode.codec"
    /// The same on an uncompressed frame: everything but inflate.
    case decodeCodecStored = "decode.codec-stored"
    /// `Outpost_V1_Frame(serializedBytes:)` of the uncompressed payload, then of each op payload
    /// in it (`Outpost_V1_OpBatch`): the protobuf work of reading every op.
    case decodeProtobuf = "decode.protobuf"
    /// zlib inflate of the frame's body into a buffer of the known size.
    case decodeZlib = "decode.zlib"
    /// Both: inflate, then protobuf decode.
    case decodeZlibProtobuf = "decode.zlib-protobuf"

    /// The benchmark's name: `wire.encode.codec` and so on.
    public var benchmarkName: String { "wire." + rawValue }
}

/// A batch and every form of it the steps start from, prepared (and cross-checked) before timing.
public final class WireWorkload: Sendable {
    public let message: WireMessage
    public let opCount: Int
    /// The codec's frame (deflated) and the same frame uncompressed.
    public let frame: [UInt8]
    public let storedFrame: [UInt8]
    /// The protobuf payload (the stored frame's bytes after the header).
    public let payload: [UInt8]
    let proto: Outpost_V1_Frame

    public init(ops: [Op]) throws {
        message = .ops(try OpBatch(batch: 1, encoding: ops, more: true))
        opCount = ops.count
        frame = try FrameCodec.encode(message)
        storedFrame = try FrameCodec.encode(message, compress: false)
        payload = Array(storedFrame[FrameCodec.headerSize...])
        proto = try Outpost_V1_Frame(serializedBytes: payload)
        // The baselines must work on exactly the codec's bytes.
        let reencoded: [UInt8] = try proto.serializedBytes()
        guard reencoded == payload else { throw WireBenchError("swift-protobuf re-encodes the payload differently") }
        guard frame[5] & 1 == 1 else { throw WireBenchError("the codec did not deflate the batch") }
        guard inflateBody() == payload else {
            throw WireBenchError("raw inflate of the frame body does not give the payload")
        }
        guard RawZlib.crc32(payload) == Self.uint32(frame, 20) else { throw WireBenchError("CRC differs") }
        guard try FrameCodec.decode(frame) == message, try FrameCodec.decode(storedFrame) == message else {
            throw WireBenchError("the codec does not round-trip the batch")
        }
    }

    /// Raw inflate of the frame's body (after the 24-byte header), whose decoded size is known.
    func inflateBody() -> [UInt8] {
        frame.withUnsafeBytes {
            RawZlib.inflate(UnsafeRawBufferPointer(rebasing: $0[FrameCodec.headerSize...]), size: payload.count)
        }
    }

    /// Runs one step once; returns a size so that nothing is optimised away.
    @inline(never)
    public func run(_ step: WireStep) throws -> Int {
        switch step {
        case .encodeCodec:
            return try FrameCodec.encode(message).count
        case .encodeCodecStored:
            return try FrameCodec.encode(message, compress: false).count
        case .encodeProtobuf:
            let bytes: [UInt8] = try proto.serializedBytes()
            return bytes.count
        case .encodeZlib:
            return payload.withUnsafeBytes { RawZlib.deflate($0) }.count
        case .encodeProtobufZlib:
            let bytes: [UInt8] = try proto.serializedBytes()
            return bytes.withUnsafeBytes { RawZlib.deflate($0) }.count
        case .decodeCodec:
            guard case .ops(let batch) = try FrameCodec.decode(frame) else { return 0 }
            return batch.ops.count
        case .decodeCodecStored:
            guard case .ops(let batch) = try FrameCodec.decode(storedFrame) else { return 0 }
            return batch.ops.count
        case .decodeProtobuf:
            return try Self.protobufOps(payload)
        case .decodeZlib:
            return inflateBody().count
        case .decodeZlibProtobuf:
            return try Self.protobufOps(inflateBody())
        }
    }

    /// Raw swift-protobuf decode of a frame payload and of every op payload in it; the op count.
    static func protobufOps(_ bytes: [UInt8]) throws -> Int {
        var count = 0
        for payload in try Outpost_V1_Frame(serializedBytes: bytes).ops.payloads {
            count += try Outpost_V1_OpBatch(serializedBytes: payload).ops.count
        }
        return count
    }

    static func uint32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        bytes[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }
}

public struct WireBenchError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
