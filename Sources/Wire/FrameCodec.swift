import InboxModel
import SwiftProtobuf

/// Encodes and decodes frames: a 24-byte header and a protobuf `Frame` payload, deflated when
/// large. WIRE_FORMAT.md gives the layout byte by byte.
///
/// ```swift
/// let bytes = try FrameCodec.encode(.ack(Ack(have: vector, batch: 3)))
/// let message = try FrameCodec.decode(bytes)
/// ```
public enum FrameCodec {
    public static let headerSize = 24
    static let magic: [UInt8] = [0x4F, 0x50, 0x53, 0x54]  // "OPST"
    static let flagDeflate: UInt8 = 0x01

    /// The frame for `message`. `compress` forces compression on or off; by default payloads of
    /// ``WireLimits/compressionThreshold`` bytes or more are deflated.
    public static func encode(_ message: WireMessage, compress: Bool? = nil) throws(WireError) -> [UInt8] {
        let frame = ProtoConversion.frame(message)
        let payload: [UInt8]
        do {
            payload = try frame.serializedBytes()
        } catch {
            throw WireError.malformedPayload("cannot serialise: \(error)")
        }
        let opCount: Int
        if case .ops(let batch) = message { opCount = batch.ops.count } else { opCount = 0 }
        let deflate = compress ?? (payload.count >= WireLimits.compressionThreshold)
        let body = deflate ? try Zlib.deflate(payload) : payload
        var bytes = magic
        bytes.reserveCapacity(headerSize + body.count)
        bytes.append(WireProtocol.frameVersion)
        bytes.append(deflate ? flagDeflate : 0)
        bytes.append(contentsOf: [0, 0])
        appendUInt32(&bytes, UInt32(body.count))
        appendUInt32(&bytes, UInt32(payload.count))
        appendUInt32(&bytes, UInt32(opCount))
        appendUInt32(&bytes, Zlib.crc32(payload))
        bytes.append(contentsOf: body)
        return bytes
    }

    /// Decodes exactly one frame. Every length is checked against `limits` before anything is
    /// allocated; a malformed, truncated, oversized or bomb frame gets a typed error.
    public static func decode(_ bytes: [UInt8], limits: WireLimits = .default) throws(WireError) -> WireMessage {
        let header = try FrameHeader(bytes, limits: limits)
        let total = headerSize + header.payloadLength
        guard bytes.count >= total else { throw WireError.truncated(expected: total, got: bytes.count) }
        guard bytes.count == total else { throw WireError.trailingBytes(bytes.count - total) }
        let body = bytes[headerSize..<total]
        let payload = header.deflated ? try Zlib.inflate(body, expectedSize: header.decodedLength) : Array(body)
        let checksum = Zlib.crc32(payload)
        guard checksum == header.checksum else {
            throw WireError.checksumMismatch(expected: header.checksum, actual: checksum)
        }
        // The header's op count was checked, but it may lie: count the payload's ops before
        // SwiftProtobuf builds them.
        // SwiftProtobuf builds them, and measure what decoding would build against the frame's size.
        let shape = PayloadScan.scan(payload)
        guard shape.ops <= limits.maxOps else {
            throw WireError.tooLarge(what: "op count", size: shape.ops, limit: limits.maxOps)
        }
        guard shape.largestVector <= limits.maxVectorEntries else {
            throw WireError.tooLarge(what: "version vector entries", size: shape.largestVector,
                                     limit: limits.maxVectorEntries)
        }
        guard shape.largestMarker <= OpLimits.maxMarkerEntries else {
            throw WireError.tooLarge(what: "read marker entries", size: shape.largestMarker, limit: OpLimits.maxMarkerEntries)
        }
        let fieldBudget = limits.fieldBudget(wireBytes: header.payloadLength)
        guard shape.fields <= fieldBudget else {
            throw WireError.tooLarge(what: "protobuf field count", size: shape.fields, limit: fieldBudget)
        }
        let frame: Outpost_V1_Frame
        do {
            var options = BinaryDecodingOptions()
            options.messageDepthLimit = 16
            frame = try Outpost_V1_Frame(serializedBytes: payload, options: options)
        } catch {
            throw WireError.malformedPayload("\(error)")
        }
        let message = try ProtoConversion.message(frame, limits: limits)
        let opCount: Int
        if case .ops(let batch) = message { opCount = batch.ops.count } else { opCount = 0 }
        guard opCount == header.opCount else {
            throw WireError.malformedHeader("the header announces \(header.opCount) ops, the payload has \(opCount)")
        }
        return message
    }

    /// The total size of the frame that `prefix` starts, once its header is complete: for
    /// reading frames off a byte stream. `nil` until 24 bytes are there.
    public static func frameLength(_ prefix: [UInt8], limits: WireLimits = .default) throws(WireError) -> Int? {
        guard prefix.count >= headerSize else { return nil }
        return headerSize + (try FrameHeader(Array(prefix.prefix(headerSize)), limits: limits)).payloadLength
    }

    /// Cuts bytes holding whole frames one after the other (an HTTP body) into frames, by their
    /// headers' lengths. Each frame is decoded later; here only the lengths are checked.
    public static func split(_ bytes: [UInt8], limits: WireLimits = .default) throws(WireError) -> [[UInt8]] {
        try frameRanges(bytes, limits: limits, maxFrames: .max)!.map { Array(bytes[$0]) }
    }

    /// Where each frame of `bytes` lies, by the headers' lengths, in one pass over the headers
    /// (linear in the number of frames, whatever their sizes); `nil` as soon as there are more than
    /// `maxFrames`, before anything else of the rest is read.
    public static func frameRanges(_ bytes: [UInt8], limits: WireLimits = .default,
                                   maxFrames: Int) throws(WireError) -> [Range<Int>]? {
        var ranges: [Range<Int>] = []
        var offset = 0
        while offset < bytes.count {
            guard ranges.count < maxFrames else { return nil }
            let remaining = bytes.count - offset
            guard remaining >= headerSize else { throw WireError.truncated(expected: headerSize, got: remaining) }
            let header = try FrameHeader(Array(bytes[offset..<offset + headerSize]), limits: limits)
            let length = headerSize + header.payloadLength
            guard length <= remaining else { throw WireError.truncated(expected: length, got: remaining) }
            ranges.append(offset..<offset + length)
            offset += length
        }
        return ranges
    }

    private static func appendUInt32(_ bytes: inout [UInt8], _ value: UInt32) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 24))
        bytes.append(UInt8(truncatingIfNeeded: value >> 16))
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }
}

/// The parsed, checked 24-byte header.
struct FrameHeader {
    let deflated: Bool
    let payloadLength: Int
    let decodedLength: Int
    let opCount: Int
    let checksum: UInt32

    init(_ bytes: [UInt8], limits: WireLimits) throws(WireError) {
        guard bytes.count >= FrameCodec.headerSize else {
            throw WireError.truncated(expected: FrameCodec.headerSize, got: bytes.count)
        }
        guard Array(bytes[0..<4]) == FrameCodec.magic else { throw WireError.badMagic }
        guard bytes[4] == WireProtocol.frameVersion else { throw WireError.unsupportedVersion(bytes[4]) }
        guard bytes[5] & ~FrameCodec.flagDeflate == 0 else {
            throw WireError.malformedHeader("unknown flags \(String(bytes[5], radix: 2))")
        }
        guard bytes[6] == 0, bytes[7] == 0 else { throw WireError.malformedHeader("reserved bytes are not zero") }
        deflated = bytes[5] & FrameCodec.flagDeflate != 0
        payloadLength = Int(Self.uint32(bytes, 8))
        decodedLength = Int(Self.uint32(bytes, 12))
        opCount = Int(Self.uint32(bytes, 16))
        checksum = Self.uint32(bytes, 20)
        guard payloadLength <= limits.maxFrameBytes else {
            throw WireError.tooLarge(what: "frame payload", size: payloadLength, limit: limits.maxFrameBytes)
        }
        guard decodedLength <= limits.maxDecodedBytes else {
            throw WireError.tooLarge(what: "decompressed payload", size: decodedLength, limit: limits.maxDecodedBytes)
        }
        guard opCount <= limits.maxOps else {
            throw WireError.tooLarge(what: "op count", size: opCount, limit: limits.maxOps)
        }
        if deflated {
            let ratio = Double(decodedLength) / Double(max(payloadLength, 1))
            guard ratio <= limits.maxCompressionRatio else {
                throw WireError.compressionRatio(ratio, limit: limits.maxCompressionRatio)
            }
        } else {
            guard decodedLength == payloadLength else {
                throw WireError.malformedHeader("an uncompressed payload of \(payloadLength) bytes announces \(decodedLength)")
            }
        }
    }

    static func uint32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8
            | UInt32(bytes[offset + 3])
    }
}
