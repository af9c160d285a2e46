public import Causality
public import InboxModel

/// Rule 6 of Protocol/MERGE_RULES.md: a conversation's row in the inbox — its newest message (by
/// stamp), that message's author and preview, the message count and the unread flag — kept up to
/// date as messages arrive, so the inbox list needs no scan of the messages.
///
/// The newest message is the one with the greatest stamp whatever order messages arrive in, so the
/// summary is the same on every replica of one user. The unread flag follows ``ReadState``: a new
/// message by someone else sets it; only a change of the viewer's read state clears it.
public struct InboxSummary: Hashable, Sendable {
    /// The stamp of the newest message.
    public var newest: HLCTimestamp
    public var newestAuthor: Principal
    /// ``preview(_:)`` of the newest message's body.
    public var preview: String
    public var messageCount: Int
    public var unread: Bool

    public init(newest: HLCTimestamp, newestAuthor: Principal, preview: String, messageCount: Int, unread: Bool) {
        self.newest = newest
        self.newestAuthor = newestAuthor
        self.preview = preview
        self.messageCount = messageCount
        self.unread = unread
    }

    /// The summary of a conversation that has just started with its first message.
    public init(first stamp: HLCTimestamp, author: Principal, body: String, viewer: UserID?) {
        self.init(newest: stamp, newestAuthor: author, preview: Self.preview(body), messageCount: 1,
                  unread: ReadState.arrivesUnread(author: author, viewer: viewer))
    }

    /// Adds a message that has just been applied to the conversation.
    public mutating func add(_ stamp: HLCTimestamp, author: Principal, body: String, viewer: UserID?) {
        messageCount += 1
        unread = unread || ReadState.arrivesUnread(author: author, viewer: viewer)
        guard stamp > newest else { return }
        newest = stamp
        newestAuthor = author
        preview = Self.preview(body)
    }

    /// The inbox preview: the start of a message, on one line (white space runs become one
    /// space), at most 140 characters, the 140th an ellipsis when the text is longer.
    public static func preview(_ body: String) -> String {
        if let ascii = asciiPreview(body) { return ascii }
        let flat = body.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return flat.count > 140 ? String(flat.prefix(139)) + "…" : flat
    }

    /// The same preview for ASCII text, byte by byte (a tenth of a reply's CPU time went to the
    /// Character-wise split). `nil` for any other text.
    private static func asciiPreview(_ body: String) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Swift.min(body.utf8.count, 141))
        var pendingSpace = false
        for byte in body.utf8 {
            guard byte < 0x80 else { return nil }
            if byte == 0x20 || (0x09...0x0D).contains(byte) {
                pendingSpace = !bytes.isEmpty
                continue
            }
            if bytes.count == 140 { return String(decoding: bytes.prefix(139), as: UTF8.self) + "…" }
            if pendingSpace {
                bytes.append(0x20)
                pendingSpace = false
                if bytes.count == 140 { return String(decoding: bytes.prefix(139), as: UTF8.self) + "…" }
            }
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
