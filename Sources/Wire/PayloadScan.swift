/// Measures a `Frame` payload from its protobuf wire format, without building anything, so that a
/// payload that would cost more to decode than its size allows is refused before SwiftProtobuf
/// allocates it, whatever the header says (WIRE_FORMAT.md, "Limits").
///
/// Decoded protobuf costs far more than its wire bytes when it is made of many tiny fields: an
/// empty op or vector entry is 2 bytes on the wire but a hundred or more once decoded, and zlib
/// squeezes a million of them into a few kilobytes. The scan counts, in one linear pass:
///
/// - the ops of every `OpBatch.ops` (field 6), summed over repeats, inside a frame's op payloads
///   (`OpBatch.payloads`, field 8, each walked as the `OpBatch` it is);
/// - every field of every message it knows the schema of (`fields`): what decoding builds;
/// - the entries of the largest `VersionVector` and of the largest `MarkRead.marker`.
///
/// The scan stops at the first malformed byte: the protobuf decoder throws there too, before it
/// builds anything that follows.
enum PayloadScan {
    /// What a payload would build.
    struct Shape: Hashable {
        var ops = 0
        var fields = 0
        var largestVector = 0
        var largestMarker = 0
    }

    /// The messages of `Protocol/outpost.proto` whose fields are messages themselves.
    enum Message {
        case frame, hello, welcome, batch, ack, vector, op, draftKey, start, post, markRead, markUnread, saveDraft
        case discardDraft, setDelivery, leaf

        /// The message type of a length-delimited field, or `nil` for strings, bytes and packed scalars.
        func child(_ field: UInt64) -> Message? {
            switch (self, field) {
            case (.frame, 1): .hello
            case (.frame, 2): .welcome
            case (.frame, 3): .batch
            case (.frame, 4): .ack
            case (.frame, 5): .leaf
            case (.hello, 5), (.welcome, 3), (.ack, 1): .vector
            case (.vector, 1): .leaf
            case (.batch, 6): .op
            case (.batch, 8): .batch
            case (.op, 5): .leaf
            case (.op, 10), (.op, 11), (.op, 12), (.op, 20): .leaf
            case (.op, 13): .start
            case (.op, 14): .post
            case (.op, 15): .markRead
            case (.op, 16): .markUnread
            case (.op, 17): .saveDraft
            case (.op, 18): .discardDraft
            case (.op, 19): .setDelivery
            case (.start, 4), (.start, 7): .leaf
            case (.start, 6), (.saveDraft, 1), (.discardDraft, 1): .draftKey
            case (.draftKey, 1): .leaf
            case (.post, 1), (.post, 3), (.markRead, 1), (.markRead, 2), (.markRead, 3), (.markUnread, 1): .leaf
            case (.saveDraft, 5), (.discardDraft, 2), (.setDelivery, 1): .leaf
            default: nil
            }
        }
    }

    /// The shape of a `Frame` payload.
    static func scan(_ payload: [UInt8]) -> Shape {
        var shape = Shape()
        var scanner = WireScanner(bytes: payload, position: 0, end: payload.count)
        _ = walk(&scanner, .frame, depth: 0, into: &shape)
        return shape
    }

    /// The number of ops in the payload (``Shape/ops``).
    static func opCount(_ payload: [UInt8]) -> Int { scan(payload).ops }

    /// Walks one message to its end; false when it is malformed.
    private static func walk(_ scanner: inout WireScanner, _ message: Message, depth: Int, into shape: inout Shape)
        -> Bool {
        var entries = 0
        defer {
            if message == .vector { shape.largestVector = max(shape.largestVector, entries) }
            if message == .markRead { shape.largestMarker = max(shape.largestMarker, entries) }
        }
        while scanner.position < scanner.end {
            guard let (field, wireType) = scanner.key() else { return false }
            shape.fields += 1
            if wireType == 2, let child = message.child(field), depth < 16 {
                guard let length = scanner.length() else { return false }
                if message == .batch && field == 6 { shape.ops += 1 }
                if (message == .vector && field == 1) || (message == .markRead && field == 2) { entries += 1 }
                var inner = WireScanner(bytes: scanner.bytes, position: scanner.position,
                                           end: scanner.position + length)
                let complete = walk(&inner, child, depth: depth + 1, into: &shape)
                guard complete else { return false }
                scanner.position += length
            } else {
                guard scanner.skip(field: field, wireType: wireType, depth: 0) else { return false }
            }
        }
        return true
    }
}

/// Reads protobuf wire format (keys, varints, lengths, groups) between `position` and `end`.
struct WireScanner {
    let bytes: [UInt8]
    var position: Int
    let end: Int

    mutating func varint() -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while position < end, shift < 64 {
            let byte = bytes[position]
            position += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
        return nil
    }

    /// A field key: field number 1…2^29-1 and wire type; `nil` when malformed.
    mutating func key() -> (field: UInt64, wireType: UInt8)? {
        guard let key = varint(), key <= UInt64(UInt32.max), key >> 3 > 0 else { return nil }
        return (key >> 3, UInt8(key & 7))
    }

    /// A length prefix that fits in what is left.
    mutating func length() -> Int? {
        guard let length = varint(), length <= UInt64(end - position) else { return nil }
        return Int(length)
    }

    /// Skips one field's value; false when it is malformed or runs past the end.
    mutating func skip(field: UInt64, wireType: UInt8, depth: Int) -> Bool {
        switch wireType {
        case 0:
            return varint() != nil
        case 1, 5:
            let size = wireType == 1 ? 8 : 4
            guard end - position >= size else { return false }
            position += size
            return true
        case 2:
            guard let length = length() else { return false }
            position += length
            return true
        case 3:
            // A group: fields up to the matching end-group key. The protobuf decoder refuses deep
            // nesting long before this limit.
            guard depth < 100 else { return false }
            while let (inner, innerType) = key() {
                if innerType == 4 { return inner == field }
                guard skip(field: inner, wireType: innerType, depth: depth + 1) else { return false }
            }
            return false
        default:
            return false
        }
    }
}
