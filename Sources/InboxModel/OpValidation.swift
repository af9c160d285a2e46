import Causality

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
}

extension Op {
    /// Checks what can be checked from the op alone: its shape, its sizes and its stamp's replica.
    /// What needs the replica's state (a conversation that must exist) is checked at apply.
    public func validate() throws(OpValidationError) {
        guard dot.counter > 0 else { throw OpValidationError("op \(dot): counter must start at 1") }
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
            try Self.checkText(start.subject, "subject", max: OpLimits.maxSubjectBytes)
            try Self.checkText(start.body, "message", max: OpLimits.maxBodyBytes)
            guard (start.kind == .inquiry) == (start.inquiry != nil) else {
                throw OpValidationError("op \(dot): a Customer Inquiry, and only one, carries the customer message")
            }
            if let inquiry = start.inquiry {
                try Self.checkText(inquiry.text, "customer message", max: OpLimits.maxBodyBytes)
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
            if let subject = save.subject, subject.utf8.count > OpLimits.maxSubjectBytes {
                throw OpValidationError("subject is longer than \(OpLimits.maxSubjectBytes) bytes")
            }
            try checkSupersedes(save.supersedes)
        case .discardDraft(let discard):
            try checkSupersedes(discard.supersedes)
        case .markRead(let read):
            guard read.clears.count <= OpLimits.maxSupersedes else { throw OpValidationError("too many cleared marks") }
        case .markUnread, .setDelivery:
            break
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

    private func checkSupersedes(_ dots: [Dot]) throws(OpValidationError) {
        guard dots.count <= OpLimits.maxSupersedes else {
            throw OpValidationError("op \(dot): supersedes more than \(OpLimits.maxSupersedes) versions")
        }
    }

    private static func checkText(_ text: String, _ what: String, max: Int) throws(OpValidationError) {
        guard !text.allSatisfy(\.isWhitespace) else { throw OpValidationError("\(what) is empty") }
        guard text.utf8.count <= max else { throw OpValidationError("\(what) is longer than \(max) bytes") }
    }

    private static func checkName(_ text: String, _ what: String) throws(OpValidationError) {
        try checkText(text, what, max: OpLimits.maxNameBytes)
    }
}
