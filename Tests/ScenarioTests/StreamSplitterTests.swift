import Causality
@testable import Scenario
import Testing
import Wire

/// The live relay's view of a connection: the HTTP head passes, then whole WebSocket frames with
/// the kind of sync frame each carries — however the bytes were cut into reads.
@Suite("StreamSplitter")
struct StreamSplitterTests {
    static let request = Array("GET /v1/sync HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n".utf8)
    static let switching = Array("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n".utf8)

    /// A binary WebSocket frame around `payload`, masked as a client sends it.
    static func webSocketFrame(_ payload: [UInt8], mask: [UInt8]?) -> [UInt8] {
        var frame: [UInt8] = [0x82]
        let maskBit: UInt8 = mask == nil ? 0 : 0x80
        if payload.count < 126 {
            frame.append(maskBit | UInt8(payload.count))
        } else {
            frame += [maskBit | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        }
        guard let mask else { return frame + payload }
        return frame + mask + payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
    }

    /// Feeds `bytes` in reads of `size` bytes.
    static func split(_ bytes: [UInt8], up: Bool, reads size: Int) -> [StreamSplitter.Piece] {
        var splitter = StreamSplitter(up: up)
        return stride(from: 0, to: bytes.count, by: size).flatMap { start in
            splitter.feed(Array(bytes[start..<min(start + size, bytes.count)]))
        }
    }

    @Test("an upgrade request, then masked frames: the head passes, each frame is found with its kind", arguments: [1, 3, 7, 1000])
    func upstream(readSize: Int) throws {
        let ack = try FrameCodec.encode(.ack(Ack(have: VersionVector(), batch: 3)))
        // Over 125 bytes: the frame's length takes the 16-bit form.
        let wide = VersionVector(Dictionary(uniqueKeysWithValues: (2..<60).map { (ReplicaID(UInt64($0)), UInt64($0) * 1_000_003) }))
        let big = try FrameCodec.encode(.ack(Ack(have: wide, batch: 4)), compress: false)
        #expect(big.count > 125)
        let first = Self.webSocketFrame(ack, mask: [1, 2, 3, 4])
        let second = Self.webSocketFrame(big, mask: [9, 8, 7, 6])
        let ping: [UInt8] = [0x89, 0x80, 0, 0, 0, 0]
        let pieces = Self.split(Self.request + first + ping + second, up: true, reads: readSize)
        #expect(pieces == [.raw(Self.request), .frame(first, message: .ack(Ack(have: VersionVector(), batch: 3))), .raw(ping),
                           .frame(second, message: .ack(Ack(have: wide, batch: 4)))])
    }

    @Test("a damaged payload is rewrapped: new length (7- and 16-bit forms), the same mask", arguments: [false, true])
    func replacingPayload(masked: Bool) throws {
        let mask: [UInt8]? = masked ? [0x1A, 0x2B, 0x3C, 0x4D] : nil
        let wide = VersionVector(Dictionary(uniqueKeysWithValues: (2..<60).map { (ReplicaID(UInt64($0)), UInt64($0)) }))
        let frame = try FrameCodec.encode(.ack(Ack(have: wide, batch: 4)), compress: false)
        #expect(frame.count > 250)
        let whole = Self.webSocketFrame(frame, mask: mask)
        for fault in [Fault(kind: .truncate, device: "d"), Fault(kind: .corrupt, device: "d")] {
            let damaged = fault.damaged(frame)
            #expect(damaged != frame)
            let rewrapped = StreamSplitter.replacingPayload(of: whole, with: fault.damaged)
            #expect(rewrapped == Self.webSocketFrame(damaged, mask: mask))
        }
        // Cut below 126 bytes, the length moves to the 7-bit form.
        let short = StreamSplitter.replacingPayload(of: whole) { Array($0.prefix(40)) }
        #expect(short == Self.webSocketFrame(Array(frame.prefix(40)), mask: mask))
        #expect(throws: WireError.self) { try FrameCodec.decode(Fault(kind: .truncate, device: "d").damaged(frame)) }
        #expect(throws: WireError.self) { try FrameCodec.decode(Fault(kind: .corrupt, device: "d").damaged(frame)) }
    }

    @Test("the server's 101 switches the way down to frames; any other answer stays raw")
    func downstream() throws {
        let ack = try FrameCodec.encode(.ack(Ack(have: VersionVector(), batch: 1)))
        let frame = Self.webSocketFrame(ack, mask: nil)
        #expect(Self.split(Self.switching + frame, up: false, reads: 5) == [.raw(Self.switching), .frame(frame, message: .ack(Ack(have: VersionVector(), batch: 1)))])
        let ok = Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}".utf8)
        let pieces = Self.split(ok, up: false, reads: 1000)
        #expect(pieces.flatMap { piece -> [UInt8] in if case .raw(let bytes) = piece { bytes } else { [] } } == ok)
        #expect(!pieces.contains { if case .frame = $0 { true } else { false } })
    }

    @Test("a request without an upgrade (enrollment) passes untouched, body and all")
    func plainRequest() {
        let post = Array("POST /v1/enroll HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}".utf8)
        let pieces = Self.split(post, up: true, reads: 4)
        #expect(pieces.flatMap { piece -> [UInt8] in if case .raw(let bytes) = piece { bytes } else { [] } } == post)
    }
}
