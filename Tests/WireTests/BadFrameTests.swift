import Causality
import InboxModel
import SwiftProtobuf
import Testing
@testable import Wire

/// Decodes `bytes` expecting a refusal: the error must be a ``WireError`` with the stable `code`,
/// and `matches` must accept its case.
@discardableResult
func expectRefused(_ bytes: [UInt8], limits: WireLimits = .default, code: String,
                   sourceLocation: SourceLocation = #_sourceLocation,
                   _ matches: (WireError) -> Bool) -> WireError? {
    let error = #expect(throws: WireError.self, sourceLocation: sourceLocation) {
        try FrameCodec.decode(bytes, limits: limits)
    }
    if let error {
        #expect(error.code.rawValue == code, "\(error)", sourceLocation: sourceLocation)
        #expect(matches(error), "unexpected error: \(error)", sourceLocation: sourceLocation)
    }
    return error
}

func isMalformedHeader(_ error: WireError) -> Bool { if case .malformedHeader = error { true } else { false } }
func isBadCompression(_ error: WireError) -> Bool { if case .badCompression = error { true } else { false } }
func isMalformedPayload(_ error: WireError) -> Bool { if case .malformedPayload = error { true } else { false } }
func isTooLarge(_ what: String) -> (WireError) -> Bool {
    { if case .tooLarge(what, _, _) = $0 { true } else { false } }
}

/// Frames whose header, length, compression or checksum is wrong: each refused with its own
/// error before anything it guards is allocated.
@Suite("Bad frames: header, lengths, compression, checksum")
struct BadFrameTests {
    static let small = try! FrameCodec.encode(WireVectorTests.definitions["ops-single-message"]!.1)
    static let deflated = try! FrameCodec.encode(.ops(OpBatch(batch: 2, encoding: WireVectorTests.fiftyMessages,
                                                              more: true)))

    @Test("a frame cut at every length from 0 to header + payload - 1 is truncated",
          arguments: ["uncompressed", "deflated"])
    func truncatedEverywhere(which: String) throws {
        let frame = which == "deflated" ? Self.deflated : Self.small
        #expect(frame[5] == (which == "deflated" ? 1 : 0))
        _ = try FrameCodec.decode(frame)
        for length in 0..<frame.count {
            let prefix = Array(frame.prefix(length))
            let expected = length < FrameCodec.headerSize ? FrameCodec.headerSize : frame.count
            expectRefused(prefix, code: "frame_truncated") { $0 == .truncated(expected: expected, got: length) }
            // A stream reader learns the frame's length as soon as the header is complete.
            #expect(try FrameCodec.frameLength(prefix) == (length < FrameCodec.headerSize ? nil : frame.count))
        }
    }

    @Test("bad magic")
    func badMagic() {
        for index in 0..<4 {
            var frame = Self.small
            frame[index] ^= 0x20
            expectRefused(frame, code: "frame_malformed") { $0 == .badMagic }
        }
        expectRefused(Array("HTTP/1.1 200 OK\r\n\r\nhello world".utf8), code: "frame_malformed") { $0 == .badMagic }
    }

    @Test("an unknown frame version", arguments: [UInt8(0), 2, 0x7F, 0xFF])
    func unknownVersion(version: UInt8) {
        var frame = Self.small
        frame[4] = version
        expectRefused(frame, code: "unsupported_version") { $0 == .unsupportedVersion(version) }
    }

    @Test("unknown flag bits", arguments: [UInt8(0x02), 0x03, 0x40, 0x80, 0xFF])
    func unknownFlags(flags: UInt8) {
        var frame = Self.small
        frame[5] = flags
        expectRefused(frame, code: "frame_malformed", isMalformedHeader)
    }

    @Test("non-zero reserved bytes", arguments: [[UInt8(0), 1], [1, 0], [0xFF, 0xFF]])
    func reserved(bytes: [UInt8]) {
        var frame = Self.small
        frame[6] = bytes[0]
        frame[7] = bytes[1]
        expectRefused(frame, code: "frame_malformed", isMalformedHeader)
    }

    @Test("an uncompressed frame whose decoded length differs from its payload length")
    func uncompressedLengthsDisagree() {
        var raw = RawFrame(payload: [0x2A, 0x00])
        raw.decodedLength = 3
        expectRefused(raw.bytes, code: "frame_malformed", isMalformedHeader)
    }

    // MARK: Limits, checked from the header alone

    @Test("a payload length over the limit is refused from the header alone")
    func payloadOverLimit() {
        var raw = RawFrame(payload: [])
        raw.payloadLength = UInt32.max
        raw.decodedLength = UInt32.max
        // Only the 24 header bytes: the length is refused before the frame is even complete.
        expectRefused(raw.header, code: "frame_too_large") {
            $0 == .tooLarge(what: "frame payload", size: Int(UInt32.max), limit: WireLimits.default.maxFrameBytes)
        }
        let limits = WireLimits(maxFrameBytes: 1024)
        #expect(Self.deflated.count > 1024 + FrameCodec.headerSize)
        expectRefused(Self.deflated, limits: limits, code: "frame_too_large", isTooLarge("frame payload"))
    }

    @Test("a decoded length over the limit is refused from the header alone")
    func decodedOverLimit() {
        var raw = RawFrame(payload: [])
        raw.flags = 1
        raw.payloadLength = 1 << 20
        raw.payloadLength = 1 << 16
        raw.decodedLength = UInt32(WireLimits.default.maxDecodedBytes + 1)
        expectRefused(raw.header, code: "frame_too_large") {
            $0 == .tooLarge(what: "decompressed payload", size: WireLimits.default.maxDecodedBytes + 1,
                            limit: WireLimits.default.maxDecodedBytes)
        }
        let limits = WireLimits(maxDecodedBytes: 2_000)
        expectRefused(Self.deflated, limits: limits, code: "frame_too_large", isTooLarge("decompressed payload"))
    }

    @Test("an op count over the limit is refused, whether the header says so or only the payload")
    func opCountOverLimit() throws {
        var raw = RawFrame(payload: [])
        raw.opCount = 20_001
        expectRefused(raw.header, code: "frame_too_large") {
            $0 == .tooLarge(what: "op count", size: 20_001, limit: 20_000)
        }
        let limits = WireLimits(maxOps: 5)
        let six = try FrameCodec.encode(.ops(try OpBatch(batch: 1, encoding: Array(WireVectorTests.fiftyMessages.prefix(6)),
                                                     more: false)))
        expectRefused(six, limits: limits, code: "frame_too_large") {
            $0 == .tooLarge(what: "op count", size: 6, limit: 5)
        }
        // The header lies (1 op): the payload's 6 ops still meet the limit before any is converted.
        var lying = six
        lying[16...19] = [0, 0, 0, 1]
        expectRefused(lying, limits: limits, code: "frame_too_large") {
            $0 == .tooLarge(what: "op count", size: 6, limit: 5)
        }
    }

    /// A protobuf key and length-delimited value.
    static func field(_ number: UInt64, _ value: [UInt8]) -> [UInt8] {
        func varint(_ value: UInt64) -> [UInt8] {
            var value = value, out: [UInt8] = []
            while value >= 0x80 { out.append(UInt8(value & 0x7F) | 0x80); value >>= 7 }
            return out + [UInt8(value)]
        }
        return varint(number << 3 | 2) + varint(UInt64(value.count)) + value
    }

    @Test("ops beyond the limit are refused before the protobuf decoder builds them, whatever the header says")
    func opBombWithLyingHeader() throws {
        // One million empty ops (2 bytes each on the wire, a few hundred bytes each once built), with a
        // header announcing none: counted from the wire format, refused without building them.
        let million = 1 << 20
        let bomb = Self.field(3, [UInt8]((0..<million).lazy.flatMap { _ in [0x32, 0x00] as [UInt8] }))
        expectRefused(RawFrame(payload: bomb).bytes, code: "frame_too_large") {
            $0 == .tooLarge(what: "op count", size: million, limit: 20_000)
        }
        // Six empty ops followed by a principal that is not UTF-8: the protobuf decoder would call it
        // malformed, but only after building the ops. The count comes first.
        let six = Self.field(3, Array(repeating: [0x32, 0x00], count: 6).flatMap { $0 } + Self.field(3, [0xC3, 0x28]))
        expectRefused(RawFrame(payload: six).bytes, limits: WireLimits(maxOps: 5), code: "frame_too_large") {
            $0 == .tooLarge(what: "op count", size: 6, limit: 5)
        }
        expectRefused(RawFrame(payload: six).bytes, limits: WireLimits(maxOps: 6), code: "frame_malformed",
                      isMalformedPayload)
    }

    @Test("the op count scan agrees with the protobuf decoder")
    func opCountScan() throws {
        for (_, (_, message)) in WireVectorTests.definitions {
            let payload: [UInt8] = try ProtoConversion.frame(message).serializedBytes()
            let ops: Int
            if case .ops(let batch) = message { ops = batch.ops.count } else { ops = 0 }
            #expect(PayloadScan.opCount(payload) == ops)
        }
        // A batch split over two `ops` fields (protobuf merges them), after an unknown group and
        // fields of every wire type, counts both halves.
        let op = Self.field(6, [0x08, 0x01])
        let payload = [0x7B, 0x08, 0x01, 0x7C] + [0x79] + [UInt8](repeating: 1, count: 8) + [0x7D, 1, 2, 3, 4]
            + Self.field(3, op + op) + [0x38, 0x01] + Self.field(3, op + Self.field(7, []) + op)
        #expect(PayloadScan.opCount(payload) == 4)
        // It stops at a malformed byte, where the protobuf decoder stops too.
        #expect(PayloadScan.opCount(Self.field(3, op) + [0x0F] + Self.field(3, op)) == 1)
        #expect(PayloadScan.opCount(Self.field(3, op + [0x32, 0x05, 0x08])) == 1)
        #expect(PayloadScan.opCount([0x1A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]) == 0)
    }

    @Test("the header's op count must match the payload's")
    func opCountMismatch() throws {
        // WIRE_FORMAT.md step 9; the decoder reports the lying header as frame_malformed.
        var frame = Self.small
        frame[19] = 2
        expectRefused(frame, code: "frame_malformed", isMalformedHeader)
        frame[19] = 0
        expectRefused(frame, code: "frame_malformed", isMalformedHeader)
    }

    // MARK: Decompression bombs

    /// The default decoded limit's worth of zeros, deflated: a ratio of about 1000:1.
    static let bomb: [UInt8] = try! Zlib.deflate([UInt8](repeating: 0, count: WireLimits.default.maxDecodedBytes))

    @Test("a bomb with honest lengths is refused by its ratio, before inflating")
    func honestBomb() {
        #expect(Self.bomb.count < 64 << 10)
        var raw = RawFrame(payload: [])
        raw.flags = 1
        raw.payloadLength = UInt32(Self.bomb.count)
        raw.decodedLength = UInt32(WireLimits.default.maxDecodedBytes)  // exactly the limit: only the ratio stops it
        raw.checksum = 0
        raw.body = Self.bomb
        let error = expectRefused(raw.bytes, code: "frame_bomb") {
            if case .compressionRatio(let ratio, 100) = $0 { ratio > 100 } else { false }
        }
        #expect(error?.description.contains(":1 is over the limit of 100:1") == true)
        // The header alone is enough to refuse it.
        expectRefused(raw.header, code: "frame_bomb") { if case .compressionRatio = $0 { true } else { false } }
        // With a smaller size limit, the size check comes first.
        expectRefused(raw.header, limits: WireLimits(maxDecodedBytes: 1 << 20), code: "frame_too_large",
                      isTooLarge("decompressed payload"))
        // A lower ratio limit refuses an ordinary deflated batch.
        expectRefused(Self.deflated, limits: WireLimits(maxCompressionRatio: 1.5), code: "frame_bomb") {
            if case .compressionRatio = $0 { true } else { false }
        }
    }

    @Test("a bomb whose header understates its decoded length is cut off at the announced size",
          arguments: [0, 1_000, 100 * 32_000])
    func lyingBomb(announced: Int) {
        var raw = RawFrame(payload: [])
        raw.flags = 1
        raw.payloadLength = UInt32(Self.bomb.count)
        raw.decodedLength = UInt32(min(announced, 100 * Self.bomb.count))  // within the ratio
        raw.checksum = 0
        raw.body = Self.bomb
        // The output buffer is the announced size plus one byte and never grows: the extra output is
        // detected, not written.
        let error = expectRefused(raw.bytes, code: "frame_malformed", isMalformedHeader)
        #expect(error?.description.contains("inflates to more than") == true)
    }

    @Test("a deflated payload shorter than announced")
    func overstatedDecodedLength() throws {
        let payload: [UInt8] = try ProtoConversion.frame(WireVectorTests.definitions["hello"]!.1).serializedBytes()
        var raw = try RawFrame(deflating: payload)
        raw.decodedLength += 10
        let error = expectRefused(raw.bytes, code: "frame_malformed", isMalformedHeader)
        #expect(error?.description.contains("inflates to \(payload.count) bytes") == true)
        #expect(try FrameCodec.decode(try RawFrame(deflating: payload).bytes) == WireVectorTests.definitions["hello"]!.1)
    }

    // MARK: Checksum, trailing bytes, corrupt deflate data

    @Test("a wrong checksum, in the header or from a changed payload byte")
    func wrongChecksum() throws {
        var frame = Self.small
        let header = try FrameHeader(frame, limits: .default)
        frame[20] ^= 0xFF
        expectRefused(frame, code: "frame_checksum") {
            $0 == .checksumMismatch(expected: header.checksum ^ 0xFF00_0000, actual: header.checksum)
        }
        var payloadChanged = Self.small
        payloadChanged[payloadChanged.count - 2] ^= 0x01
        expectRefused(payloadChanged, code: "frame_checksum") {
            if case .checksumMismatch(header.checksum, let actual) = $0 { actual != header.checksum } else { false }
        }
        // In a deflated frame the checksum covers the inflated payload.
        var deflated = Self.deflated
        deflated[22] ^= 0x10
        expectRefused(deflated, code: "frame_checksum") { if case .checksumMismatch = $0 { true } else { false } }
    }

    @Test("bytes after the frame, or after the end of the deflate stream inside it")
    func trailingBytes() throws {
        expectRefused(Self.small + [0], code: "frame_malformed") { $0 == .trailingBytes(1) }
        expectRefused(Self.small + Self.small, code: "frame_malformed") { $0 == .trailingBytes(Self.small.count) }
        let payload: [UInt8] = try ProtoConversion.frame(WireVectorTests.definitions["hello"]!.1).serializedBytes()
        var raw = try RawFrame(deflating: payload)
        raw.body += [1, 2, 3]
        raw.payloadLength += 3
        expectRefused(raw.bytes, code: "frame_malformed") { $0 == .trailingBytes(3) }
    }

    @Test("corrupt deflate data")
    func corruptDeflate() throws {
        let payload: [UInt8] = try ProtoConversion.frame(WireVectorTests.definitions["hello"]!.1).serializedBytes()
        let good = try RawFrame(deflating: payload)
        // A zlib header that is not one.
        var badHeader = good
        badHeader.body[0] = 0x00
        expectRefused(badHeader.bytes, code: "frame_malformed") { $0 == .badCompression("corrupt deflate data") }
        // The Adler-32 at the end of the zlib stream does not match.
        var badAdler = good
        badAdler.body[badAdler.body.count - 1] ^= 0xFF
        expectRefused(badAdler.bytes, code: "frame_malformed") { $0 == .badCompression("corrupt deflate data") }
        // A stream cut short (lengths honest for what is there).
        var cut = good
        cut.body.removeLast(6)
        cut.payloadLength -= 6
        expectRefused(cut.bytes, code: "frame_malformed") { $0 == .badCompression("incomplete deflate data") }
        // An empty deflated payload that announces bytes.
        var empty = good
        empty.body = []
        empty.payloadLength = 0
        empty.decodedLength = 50
        expectRefused(empty.bytes, code: "frame_malformed", isBadCompression)
        // Not zlib at all, with the deflate flag.
        var garbage = RawFrame(payload: Array("this is not a zlib stream, but a sentence".utf8))
        garbage.flags = 1
        garbage.decodedLength = 80
        expectRefused(garbage.bytes, code: "frame_malformed", isBadCompression)
    }
}
