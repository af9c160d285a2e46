/// Counts the ops of a `Frame` payload from its protobuf wire format, without building anything, so
/// that a payload with more ops than ``WireLimits/maxOps`` is refused before SwiftProtobuf allocates
/// them, whatever the header's op count says. (Each empty op is 2 bytes on the wire but a few hundred
/// once decoded: 32 MiB of them would take gigabytes.)
enum OpCountScan {
    /// The number of `OpBatch.ops` (field 6) elements in the payload's `Frame.ops` (field 3) fields,
    /// summed over repeats. The scan stops at the first malformed byte: the protobuf decoder throws
    /// there too, before it builds anything that follows.
    static func opCount(_ payload: [UInt8]) -> Int {
        var frame = Scanner(bytes: payload, position: 0, end: payload.count)
        var ops = 0
        while frame.position < frame.end {
            guard let (field, wireType) = frame.key() else { break }
            if field == 3 && wireType == 2 {
                guard let length = frame.length() else { break }
                var batch = Scanner(bytes: payload, position: frame.position, end: frame.position + length)
                let (count, complete) = batch.count(field: 6)
                ops += count
                guard complete else { break }
                frame.position += length
            } else {
                guard frame.skip(field: field, wireType: wireType, depth: 0) else { break }
            }
        }
        return ops
    }

    /// Reads protobuf wire format (keys, varints, lengths, groups) between `position` and `end`.
    struct Scanner {
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

        /// Counts the length-delimited occurrences of `target` in a message, skipping everything else;
        /// `complete` is false when the message is malformed (the count is up to that point).
        mutating func count(field target: UInt64) -> (count: Int, complete: Bool) {
            var count = 0
            while position < end {
                guard let (field, wireType) = key() else { return (count, false) }
                guard skip(field: field, wireType: wireType, depth: 0) else { return (count, false) }
                if field == target && wireType == 2 { count += 1 }
            }
            return (count, true)
        }
    }
}
