public import InboxModel

/// Rule 7 of Protocol/MERGE_RULES.md: who may write in a conversation, and whose compose draft an
/// op may continue. (Who may write which kind of op at all — server-owned facts only the platform,
/// read state and drafts only users — is part of the op's shape, `Op.validate()`.)
///
/// Each check returns `nil` when the write is allowed, or the reason it is refused; an op refused
/// here is invalid and the batch carrying it is rejected.
public enum WritePermission {
    /// Why a write is refused.
    public enum Denial: String, Hashable, Sendable, CustomStringConvertible {
        case onlyPlatformStartsSystem = "only the platform starts system notifications"
        case partnerStartsOnlyOwn = "a partner can only start its own conversations"
        case systemIsReadOnly = "system notifications are read-only"
        case partnerWritesOnlyOwn = "a partner can only write in its own conversations"
        case composeDraftNotStarted = "was never started by this user"

        public var description: String { rawValue }
    }

    /// May `actor` start a conversation of `kind` with `partner`? System notifications are the
    /// platform's; a partner starts conversations only with itself.
    public static func start(_ kind: ConversationKind, with partner: PartnerID, by actor: Principal) -> Denial? {
        if kind == .system && actor != .platform { return .onlyPlatformStartsSystem }
        if case .partner(let writer) = actor, writer != partner { return .partnerStartsOnlyOwn }
        return nil
    }

    /// May `actor` post in a conversation of `kind` with `partner`? A system notification takes no
    /// message but the platform's; a partner writes only in its own conversations.
    public static func post(in kind: ConversationKind, with partner: PartnerID, by actor: Principal) -> Denial? {
        if kind == .system && actor != .platform { return .systemIsReadOnly }
        if case .partner(let writer) = actor, writer != partner { return .partnerWritesOnlyOwn }
        return nil
    }

    /// May the op `op` use the compose draft key `key`? A compose draft is named by the dot of the
    /// save that started it: `op` itself when `firstSave` allows it, or `started` — the op with that
    /// dot, if known — which must be a save of the same user with the same key.
    public static func composeDraft(_ key: DraftKey, by op: Op, firstSave: Bool, started: Op?) -> Denial? {
        guard case .compose(let dot) = key else { return nil }
        if firstSave && dot == op.dot { return nil }
        guard let started, started.actor.user == op.actor.user,
              case .saveDraft(let save) = started.body, save.key == key else { return .composeDraftNotStarted }
        return nil
    }
}
