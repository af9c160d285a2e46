import Wire

/// Splits one direction of a relayed connection into what the link's faults act on: the HTTP head
/// passes as it is, and after a WebSocket upgrade the stream is cut into whole WebSocket frames,
/// each with the kind of the sync frame it carries (`hello`, `ops`, …). Pure: bytes in, pieces out.
struct StreamSplitter {
    /// A piece of the stream.
    enum Piece: Equatable {
        /// Bytes that pass as they are (HTTP, or a frame no fault may touch: ping, close, a fragment).
        case raw([UInt8])
        /// One whole WebSocket frame carrying a sync frame of this kind.
        case frame([UInt8], kind: Fault.FrameKind)
    }

    private enum Mode { case head, frames, raw }

    /// Device to server (requests, masked frames) or server to device.
    let up: Bool
    private var mode = Mode.head
    private var buffer: [UInt8] = []

    init(up: Bool) { self.up = up }

    mutating func feed(_ bytes: [UInt8]) -> [Piece] {
        switch mode {
        case .raw: return bytes.isEmpty ? [] : [.raw(bytes)]
        case .head, .frames: buffer += bytes
        }
        var pieces: [Piece] = []
        if mode == .head {
            guard let end = Self.headEnd(buffer) else { return [] }
            let head = Array(buffer[..<end])
            buffer.removeFirst(end)
            pieces.append(.raw(head))
            mode = Self.upgrades(head, up: up) ? .frames : .raw
            if mode == .raw {
                if !buffer.isEmpty { pieces.append(.raw(buffer)) }
                buffer = []
                return pieces
            }
        }
        while let (length, piece) = Self.frame(in: buffer) {
            buffer.removeFirst(length)
            pieces.append(piece)
        }
        return pieces
    }

    /// Where the HTTP head ends (after its blank line).
    private static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4)
        where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index + 4
        }
        return nil
    }

    /// A request asking for a WebSocket, or the server's `101 Switching Protocols`.
    private static func upgrades(_ head: [UInt8], up: Bool) -> Bool {
        let text = String(decoding: head, as: UTF8.self).lowercased()
        if up { return text.contains("upgrade: websocket") }
        return text.split(separator: "\r\n").first?.contains(" 101") == true
    }

    /// `whole`, one unfragmented WebSocket frame (as ``Piece/frame(_:kind:)`` holds it), with its
    /// payload replaced by `transform` of it: the header is written again for the new length, and a
    /// masked frame keeps its mask key (RFC 6455 §5.2, §5.3).
    static func replacingPayload(of whole: [UInt8], with transform: ([UInt8]) -> [UInt8]) -> [UInt8] {
        guard whole.count >= 2 else { return whole }
        let masked = whole[1] & 0x80 != 0
        var offset = 2
        switch whole[1] & 0x7F {
        case 126: offset = 4
        case 127: offset = 10
        default: break
        }
        let key = masked ? Array(whole[offset..<offset + 4]) : []
        if masked { offset += 4 }
        guard whole.count >= offset else { return whole }
        var payload = Array(whole[offset...])
        if masked { for index in payload.indices { payload[index] ^= key[index % 4] } }
        payload = transform(payload)
        var header: [UInt8] = [whole[0]]
        let maskBit: UInt8 = masked ? 0x80 : 0
        if payload.count < 126 {
            header.append(maskBit | UInt8(payload.count))
        } else if payload.count <= 0xFFFF {
            header += [maskBit | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        } else {
            header.append(maskBit | 127)
            header += (0..<8).reversed().map { UInt8(truncatingIfNeeded: UInt64(payload.count) >> (8 * UInt64($0))) }
        }
        if masked {
            header += key
            for index in payload.indices { payload[index] ^= key[index % 4] }
        }
        return header + payload
    }

    /// The first whole WebSocket frame of `bytes` (RFC 6455 §5.2), if it is all there.
    private static func frame(in bytes: [UInt8]) -> (Int, Piece)? {
        guard bytes.count >= 2 else { return nil }
        let fin = bytes[0] & 0x80 != 0, opcode = bytes[0] & 0x0F
        let masked = bytes[1] & 0x80 != 0
        var length = Int(bytes[1] & 0x7F)
        var offset = 2
        if length == 126 {
            guard bytes.count >= 4 else { return nil }
            length = Int(bytes[2]) << 8 | Int(bytes[3])
            offset = 4
        } else if length == 127 {
            guard bytes.count >= 10 else { return nil }
            length = bytes[2..<10].reduce(0) { $0 << 8 | Int($1) }
            offset = 10
        }
        let mask = masked ? offset : nil
        if masked { offset += 4 }
        let total = offset + length
        guard bytes.count >= total else { return nil }
        let whole = Array(bytes[..<total])
        guard fin, opcode == 2 else { return (total, .raw(whole)) }
        var payload = Array(bytes[offset..<total])
        if let mask {
            for index in payload.indices { payload[index] ^= bytes[mask + index % 4] }
        }
        guard let message = try? FrameCodec.decode(payload) else { return (total, .raw(whole)) }
        return (total, .frame(whole, kind: SessionRun.kind(message)))
    }
}
