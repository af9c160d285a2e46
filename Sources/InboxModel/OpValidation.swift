public import Causality

/// Why an op is not acceptable, whoever made it. Checked before anything is written.
public struct OpValidationError: Error, Hashable, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Size limits on user-supplied text. The wire and the server check the same numbers.
public enum OpLimits {
    public static let maxBodyBytes = 64 * 1024
    public static let maxSubjectBytes = 300
    public static let maxNameBytes = 200
    public static let maxSupersedes = 256
    /// The most entries a read marker may have: one per replica of the brand
    /// (``InboxModel/OpLimits/maxReplicasPerBrand``).
    public static let maxMarkerEntries = maxReplicasPerBrand
    /// The most replicas one brand can ever have: its enrolled devices and the server. The server
    /// refuses enrollment past it; vectors on the wire are bounded by it (WIRE_FORMAT.md, Limits).
    public static let maxReplicasPerBrand = 10_000
    /// The latest HLC wall time an op may carry (2^62 ms, far past any real clock), so that stamp
    /// arithmetic (one more millisecond when the logical counter is full) never overflows the signed
    /// 64-bit integers stamps are stored as.
    public static let maxWall: UInt64 = 1 << 62
}

/// What characters text may hold (Protocol/OPS.md, "Text"). Text is stored, indexed, mailed and
/// shown, and several of those stop at or mangle control characters, so they are refused where
/// text enters rather than dropped later.
public enum TextRules {
    /// Multi-line text (message bodies, drafts, the customer's message): any Unicode scalar but the
    /// C0 and C1 control characters and DEL; tab, line feed and carriage return are allowed.
    public static func isAllowedMultiLine(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { scalar in
            scalar == "\t" || scalar == "\n" || scalar == "\r" || !isControl(scalar)
        }
    }

    /// Single-line text (names, email addresses, subjects, ids): no control character at all.
    public static func isAllowedSingleLine(_ text: String) -> Bool {
        !text.unicodeScalars.contains(where: isControl)
    }

    /// U+0000–U+001F, U+007F–U+009F.
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    /// The first control character of `text`, as `U+0000`, for error messages.
    public static func firstControl(_ text: String) -> String? {
        text.unicodeScalars.first(where: isControl).map { "U+" + String(format4($0.value)) }
    }

    private static func format4(_ value: UInt32) -> String {
        let hex = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}

extension Op {
    /// Checks what can be checked from the op alone: its shape, its sizes and its stamp's replica.
    /// What needs the replica's state (a conversation that must exist) is checked at apply.
    public func validate() throws(OpValidationError) {
        guard dot.counter > 0 else { throw OpValidationError("op \(dot): counter must start at 1") }
        try checkRanges()
        guard stamp.replica == dot.replica else {
            throw OpValidationError("op \(dot): stamp replica \(stamp.replica) differs from the dot's")
        }
        guard !deps.contains(where: { $0.replica == dot.replica }) else {
            throw OpValidationError("op \(dot): deps must not name the op's own replica")
        }
        switch body {
        case .setBrand(let brand):
            try Self.checkName(brand.name, "brand name")
        case .upsertUser(let user):
            try Self.checkName(user.name, "user name")
            try Self.checkName(user.email, "user email")
        case .upsertPartner(let partner):
            try Self.checkName(partner.name, "partner name")
            try Self.checkName(partner.contactEmail, "partner email")
        case .startConversation(let start):
            try Self.checkText(start.subject, "subject", max: OpLimits.maxSubjectBytes, singleLine: true)
            try Self.checkText(start.body, "message", max: OpLimits.maxBodyBytes)
            guard (start.kind == .inquiry) == (start.inquiry != nil) else {
                throw OpValidationError("op \(dot): a Customer Inquiry, and only one, carries the customer message")
            }
            if let inquiry = start.inquiry {
                try Self.checkText(inquiry.text, "customer message", max: OpLimits.maxBodyBytes)
                for (field, what) in [(inquiry.customerName, "customer name"), (inquiry.customerEmail, "customer email"),
                                      (inquiry.storefront, "storefront"), (inquiry.product, "product")] {
                    guard field.utf8.count <= OpLimits.maxNameBytes else {
                        throw OpValidationError("\(what) is longer than \(OpLimits.maxNameBytes) bytes")
                    }
                    try Self.checkCharacters(field, what, singleLine: true)
                }
            }
            if start.draft?.isCompose == false {
                throw OpValidationError("op \(dot): a new conversation can only send a compose draft")
            }
            try checkSupersedes(start.supersedes)
        case .postMessage(let post):
            try Self.checkText(post.body, "message", max: OpLimits.maxBodyBytes)
            try checkSupersedes(post.supersedes)
        case .saveDraft(let save):
            guard save.text.utf8.count <= OpLimits.maxBodyBytes else {
                throw OpValidationError("draft is longer than \(OpLimits.maxBodyBytes) bytes")
            }
            try Self.checkCharacters(save.text, "draft", singleLine: false)
            if let subject = save.subject {
                guard subject.utf8.count <= OpLimits.maxSubjectBytes else {
                    throw OpValidationError("subject is longer than \(OpLimits.maxSubjectBytes) bytes")
                }
                try Self.checkCharacters(subject, "subject", singleLine: true)
            }
            try checkSupersedes(save.supersedes)
        case .discardDraft(let discard):
            try checkSupersedes(discard.supersedes)
        case .markRead(let read):
            guard read.clears.count <= OpLimits.maxSupersedes else { throw OpValidationError("too many cleared marks") }
        case .markUnread:
            break
        case .setDelivery(let delivery):
            if let reason = delivery.reason {
                guard reason.utf8.count <= OpLimits.maxBodyBytes else { throw OpValidationError("delivery reason is too long") }
                try Self.checkCharacters(reason, "delivery reason", singleLine: false)
            }
        case .redacted:
            guard actor.user != nil else { throw OpValidationError("op \(dot): only a user's private op is redacted") }
        }
        if kind.isServerOwned && actor != .platform {
            throw OpValidationError("op \(dot): only the platform writes \(kind)")
        }
        if kind == .markRead || kind == .markUnread || kind == .saveDraft || kind == .discardDraft, actor.user == nil {
            throw OpValidationError("op \(dot): read state and drafts belong to a brand user")
        }
    }

    /// Every id, counter and time the op carries is in range: ops come from outside (the wire, a
    /// scenario file, a partner), and these numbers are stored as signed 64-bit integers.
    private func checkRanges() throws(OpValidationError) {
        for other in [dot] + deps + referencedDots where !other.isValid {
            throw OpValidationError("op \(dot): dot \(other.replica):\(other.counter) is out of range")
        }
        guard stamp.wall <= OpLimits.maxWall else { throw OpValidationError("op \(dot): the stamp's time is out of range") }
        switch body {
        case .upsertPartner(let partner) where partner.statusSince > OpLimits.maxWall:
            throw OpValidationError("op \(dot): the partner's status time is out of range")
        case .startConversation(let start) where (start.inquiry?.askedAt ?? 0) > OpLimits.maxWall:
            throw OpValidationError("op \(dot): the inquiry's time is out of range")
        case .markRead(let read) where read.marker.entries.count > OpLimits.maxMarkerEntries:
            throw OpValidationError("op \(dot): the read marker has more than \(OpLimits.maxMarkerEntries) entries")
        default:
            break
        }
    }

    /// Every dot the body names: conversations, messages, draft keys, marker entries, supersedes.
    public var referencedDots: [Dot] {
        switch body {
        case .setBrand, .upsertUser, .upsertPartner, .redacted: []
        case .startConversation(let start): (start.draft.map { [$0.dot] } ?? []) + start.supersedes
        case .postMessage(let post): [post.conversation.dot] + post.supersedes
        case .markRead(let read): [read.conversation.dot] + read.marker.dots + read.clears
        case .markUnread(let unread): [unread.conversation.dot]
        case .saveDraft(let save): [save.key.dot] + save.supersedes
        case .discardDraft(let discard): [discard.key.dot] + discard.supersedes
        case .setDelivery(let delivery): [delivery.message.dot]
        }
    }

    private func checkSupersedes(_ dots: [Dot]) throws(OpValidationError) {
        guard dots.count <= OpLimits.maxSupersedes else {
            throw OpValidationError("op \(dot): supersedes more than \(OpLimits.maxSupersedes) versions")
        }
    }

    private static func checkText(_ text: String, _ what: String, max: Int, singleLine: Bool = false)
        throws(OpValidationError) {
        guard !text.allSatisfy(\.isWhitespace) else { throw OpValidationError("\(what) is empty") }
        guard text.utf8.count <= max else { throw OpValidationError("\(what) is longer than \(max) bytes") }
        try checkCharacters(text, what, singleLine: singleLine)
    }

    /// Refuses control characters (``TextRules``): a NUL would cut the text short in SQLite's
    /// full-text index and in C strings, and a line break in a name or subject has no place there.
    static func checkCharacters(_ text: String, _ what: String, singleLine: Bool) throws(OpValidationError) {
        let allowed = singleLine ? TextRules.isAllowedSingleLine(text) : TextRules.isAllowedMultiLine(text)
        guard allowed else {
            throw OpValidationError("\(what) contains the control character \(TextRules.firstControl(text) ?? "?")")
        }
    }

    private static func checkName(_ text: String, _ what: String) throws(OpValidationError) {
        try checkText(text, what, max: OpLimits.maxNameBytes, singleLine: true)
    }
}
