import Wire

/// Splits one direction of a relayed connection into what the link's faults act on: the HTTP head
/// passes as it is, and after a WebSocket upgrade the stream is cut into whole WebSocket frames,
/// each with the kind of the sync frame it carries (`hello`, `ops`, …). Pure: bytes in, pieces out.
struct StreamSplitter {
    /// A piece of the stream.
    enum Piece: Equatable {
        /// Bytes that pass as they are (HTTP, or a frame no fault may touch: ping, close, a fragment).
        case raw([UInt8])
        /// One whole WebSocket frame carrying this sync frame.
        case frame([UInt8], message: WireMessage)
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
        guard let header = WebSocketHeader(whole), header.frameLength == whole.count else { return whole }
        let payload = transform(header.payload(of: whole))
        return WebSocketHeader.bytes(first: whole[0], length: payload.count, maskKey: header.maskKey)
            + WebSocketHeader.masking(payload, with: header.maskKey)
    }

    /// The first whole WebSocket frame of `bytes` (RFC 6455 §5.2), if it is all there.
    private static func frame(in bytes: [UInt8]) -> (Int, Piece)? {
        guard let header = WebSocketHeader(bytes) else { return nil }
        // A length no real frame has: the rest of the stream passes as it is.
        guard header.frameLength <= Int(Int32.max) else { return (bytes.count, .raw(bytes)) }
        let total = header.frameLength
        guard bytes.count >= total else { return nil }
        let whole = Array(bytes[..<total])
        guard bytes[0] & 0x80 != 0, bytes[0] & 0x0F == 2 else { return (total, .raw(whole)) }
        guard let message = try? FrameCodec.decode(header.payload(of: whole)) else { return (total, .raw(whole)) }
        return (total, .frame(whole, message: message))
    }
}

/// A WebSocket frame header (RFC 6455 §5.2): where the payload starts, how long it is, and the
/// mask key of a masked (client) frame.
struct WebSocketHeader {
    let payloadOffset: Int
    let payloadLength: Int
    let maskKey: [UInt8]?

    /// The header at the start of `bytes`, once all of it is there.
    init?(_ bytes: [UInt8]) {
        guard bytes.count >= 2 else { return nil }
        var offset = 2
        var length = UInt64(bytes[1] & 0x7F)
        if length == 126 {
            guard bytes.count >= 4 else { return nil }
            length = UInt64(bytes[2]) << 8 | UInt64(bytes[3])
            offset = 4
        } else if length == 127 {
            guard bytes.count >= 10 else { return nil }
            length = bytes[2..<10].reduce(0) { $0 << 8 | UInt64($1) }
            offset = 10
        }
        var key: [UInt8]?
        if bytes[1] & 0x80 != 0 {
            guard bytes.count >= offset + 4 else { return nil }
            key = Array(bytes[offset..<offset + 4])
            offset += 4
        }
        payloadOffset = offset
        payloadLength = Int(clamping: min(length, UInt64(Int32.max) + 1))
        maskKey = key
    }

    /// Header and payload.
    var frameLength: Int { payloadOffset + payloadLength }

    /// The payload of the whole frame `whole`, unmasked.
    func payload(of whole: [UInt8]) -> [UInt8] {
        Self.masking(Array(whole[payloadOffset..<frameLength]), with: maskKey)
    }

    /// `payload` masked or unmasked with `key` (the same XOR both ways); as it is without a key.
    static func masking(_ payload: [UInt8], with key: [UInt8]?) -> [UInt8] {
        guard let key else { return payload }
        var bytes = payload
        for index in bytes.indices { bytes[index] ^= key[index % 4] }
        return bytes
    }

    /// A header for a frame whose first byte is `first` (FIN, opcode), of `length` payload bytes.
    static func bytes(first: UInt8, length: Int, maskKey: [UInt8]?) -> [UInt8] {
        let maskBit: UInt8 = maskKey == nil ? 0 : 0x80
        var header: [UInt8] = [first]
        if length < 126 {
            header.append(maskBit | UInt8(length))
        } else if length <= 0xFFFF {
            header += [maskBit | 126, UInt8(length >> 8), UInt8(length & 0xFF)]
        } else {
            header.append(maskBit | 127)
            header += (0..<8).reversed().map { UInt8(truncatingIfNeeded: UInt64(length) >> (8 * UInt64($0))) }
        }
        return header + (maskKey ?? [])
    }
}
