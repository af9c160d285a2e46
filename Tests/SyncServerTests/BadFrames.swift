import Causality
import InboxModel
import OutpostTestSupport
import Replica
import Testing
@testable import Wire

/// One way to break a frame, with the code the server must answer it with.
struct BadFrame: Sendable, CustomTestStringConvertible {
    let name: String
    let code: String
    /// The bytes, for the device `replica` (its ops are real ops of that device).
    let make: @Sendable (ReplicaID) throws -> [UInt8]
    var testDescription: String { "\(name) → \(code)" }
}

/// Frames that break the wire format one way each (Protocol/WIRE_FORMAT.md, "Decoding order"),
/// built around real ops of a device so that, were they applied, the brand would change.
enum BadFrames {
    static let wireLimit = WireLimits.default.maxFrameBytes

    /// A new conversation of `replica`'s user dana with the test partner.
    static func op(_ replica: ReplicaID, counter: UInt64, subject: String = "Pushed") -> Op {
        TestOp.make(replica, counter, wall: SystemClock().nowMilliseconds(), .user(TestWorld.dana),
                    .startConversation(StartConversation(kind: .direct, partner: TestWorld.partner, subject: subject,
                                                         body: "From a device")))
    }

    /// Batch 1 of `count` new conversations by `replica`, honestly encoded.
    static func batch(_ replica: ReplicaID, count: Int = 3, subject: String = "Pushed") throws -> [UInt8] {
        let ops = (1...count).map { op(replica, counter: UInt64($0), subject: subject) }
        return try FrameCodec.encode(.ops(try OpBatch(batch: 1, encoding: ops, more: false)))
    }

    /// A frame around `body`: honest lengths unless `decodedLength` says otherwise.
    static func frame(body: [UInt8], deflated: Bool = false, decodedLength: Int? = nil, checksum: UInt32) -> [UInt8] {
        let header: [UInt8] = [0x4F, 0x50, 0x53, 0x54, 1, deflated ? 1 : 0, 0, 0]
        return patching(patching(patching(header + [UInt8](repeating: 0, count: 16) + body,
                                          8, body.count), 12, decodedLength ?? body.count), 20, Int(checksum))
    }

    /// `frame` with the big-endian 32-bit header field at `offset` set to `value` (8 payload
    /// length, 12 decoded length, 16 op count, 20 checksum).
    static func patching(_ frame: [UInt8], _ offset: Int, _ value: Int) -> [UInt8] {
        var frame = frame
        for index in 0..<4 { frame[offset + index] = UInt8(truncatingIfNeeded: value >> (24 - 8 * index)) }
        return frame
    }

    /// 4 MiB of zeros deflated to a few KB: a decompression bomb.
    static func zeros() throws -> (plain: [UInt8], deflated: [UInt8]) {
        let plain = [UInt8](repeating: 0, count: wireLimit)
        return (plain, try Zlib.deflate(plain))
    }

    /// Every bad frame that fits a session right after its Welcome, with its code.
    static let all: [BadFrame] = [
        BadFrame(name: "a header that claims more bytes than follow", code: "frame_truncated") {
            Array(try batch($0).dropLast(7))
        },
        BadFrame(name: "a frame over the wire limit", code: "frame_too_large") { _ in
            let body = [UInt8](repeating: 0x41, count: wireLimit + 1)
            return frame(body: body, checksum: Zlib.crc32(body))
        },
        BadFrame(name: "a zlib bomb (4 MiB from a few KB)", code: "frame_bomb") { _ in
            let (plain, deflated) = try zeros()
            return frame(body: deflated, deflated: true, decodedLength: plain.count, checksum: Zlib.crc32(plain))
        },
        BadFrame(name: "a zlib bomb that understates its size", code: "frame_malformed") { _ in
            let (plain, deflated) = try zeros()
            return frame(body: deflated, deflated: true, decodedLength: 50 * deflated.count,
                         checksum: Zlib.crc32(plain))
        },
        BadFrame(name: "a header announcing 20,001 ops", code: "frame_too_large") {
            patching(try batch($0), 16, WireLimits.default.maxOps + 1)
        },
        BadFrame(name: "a batch of 20,001 ops whose header says 1", code: "frame_too_large") {
            patching(try batch($0, count: WireLimits.default.maxOps + 1), 16, 1)
        },
        BadFrame(name: "a wrong checksum", code: "frame_checksum") {
            var frame = try batch($0)
            frame[23] ^= 1
            return frame
        },
        BadFrame(name: "a payload that is not protobuf", code: "frame_malformed") { _ in
            let body: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF]
            return frame(body: body, checksum: Zlib.crc32(body))
        },
        BadFrame(name: "an op with a 400-byte subject", code: "frame_invalid") {
            try batch($0, count: 1, subject: String(repeating: "x", count: 400))
        },
    ]
}
