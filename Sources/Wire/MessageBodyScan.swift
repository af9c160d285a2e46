/// The text of a message op read straight from its payload's protobuf bytes, without decoding the
/// op: what the replica's `messages` view asks for every message it shows, searches or digests
/// (a replica keeps a message's text only in its op's payload).
///
/// The path is `OpBatch.ops` (field 6) → `Op.start_conversation` (13) → `body` (5), or
/// `Op.post_message` (14) → `body` (2); as in protobuf, the last occurrence of a field wins.
extension OpPayload {
    /// The body of the start or post op in `payload`; `nil` for any other op. Throws
    /// `malformedPayload` when the bytes are not a well-formed payload of that shape, or the text is
    /// not UTF-8.
    public static func messageBody(_ payload: [UInt8]) throws(WireError) -> String? {
        var batch = WireScanner(bytes: payload, position: 0, end: payload.count)
        var body: String?
        while batch.position < batch.end {
            guard let (field, wireType) = batch.key() else { throw malformed }
            if field == 6 && wireType == 2 {
                guard let length = batch.length() else { throw malformed }
                let end = batch.position + length
                body = try opBody(WireScanner(bytes: payload, position: batch.position, end: end)) ?? body
                batch.position = end
            } else if !batch.skip(field: field, wireType: wireType, depth: 0) {
                throw malformed
            }
        }
        return body
    }

    private static var malformed: WireError { .malformedPayload("the op payload cannot be read for its message text") }

    /// The body in one `Op`, if it is a start or post.
    private static func opBody(_ scanner: WireScanner) throws(WireError) -> String? {
        var op = scanner
        var body: String?
        while op.position < op.end {
            guard let (field, wireType) = op.key() else { throw malformed }
            if (field == 13 || field == 14) && wireType == 2 {
                guard let length = op.length() else { throw malformed }
                let end = op.position + length
                body = try string(field: field == 13 ? 5 : 2,
                                  in: WireScanner(bytes: op.bytes, position: op.position, end: end)) ?? ""
                op.position = end
            } else if !op.skip(field: field, wireType: wireType, depth: 0) {
                throw malformed
            }
        }
        return body
    }

    /// The last string `field` of one message (nil when absent).
    private static func string(field wanted: UInt64, in scanner: WireScanner) throws(WireError) -> String? {
        var message = scanner
        var text: String?
        while message.position < message.end {
            guard let (field, wireType) = message.key() else { throw malformed }
            if field == wanted && wireType == 2 {
                guard let length = message.length() else { throw malformed }
                let bytes = message.bytes[message.position..<message.position + length]
                guard let value = String(validating: bytes, as: UTF8.self) else { throw malformed }
                text = value
                message.position += length
            } else if !message.skip(field: field, wireType: wireType, depth: 0) {
                throw malformed
            }
        }
        return text
    }
}
