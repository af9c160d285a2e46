extension OpKind {
    /// Kinds whose effect belongs to the acting user alone (read state and drafts; a redacted
    /// stand-in is one of those).
    public var isPrivate: Bool {
        switch self {
        case .markRead, .markUnread, .saveDraft, .discardDraft, .redacted: true
        default: false
        }
    }
}

extension Op {
    /// The user an op's effect belongs to alone, when it is private: read state and drafts. Other
    /// users' replicas never see its content (Protocol/SPEC.md, scope).
    public var privateOwner: UserID? {
        kind.isPrivate ? actor.user : nil
    }

    /// What a replica of `viewer` may receive of this op: the op itself, or, when it is another
    /// user's private op, a redacted stand-in with the same dot, stamp, deps and actor. A server
    /// replica (`viewer == nil`) sees everything.
    public func scoped(to viewer: UserID?) -> Op {
        guard let viewer, let owner = privateOwner, owner != viewer else { return self }
        var stand = self
        stand.body = .redacted
        return stand
    }
}
