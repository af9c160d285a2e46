import InboxModel

/// One line per op for traces: dot, actor, kind and what it says, with thread labels.
enum OpText {
    static func describe(_ op: Op, simulator: Simulator) -> String {
        let head = "op \(op.dot) \(op.actor) @\(op.stamp.wall).\(op.stamp.logical)"
        switch op.body {
        case .setBrand(let brand): return "\(head) setBrand \(brand.id)"
        case .upsertUser(let user): return "\(head) upsertUser \(user.id)"
        case .upsertPartner(let partner): return "\(head) upsertPartner \(partner.id) \(partner.status.rawValue)"
        case .startConversation(let start):
            return "\(head) startConversation \(simulator.label(of: ConversationID(op.dot))) \(start.kind.rawValue) \(quote(start.subject)): \(quote(start.body))"
                + (start.supersedes.isEmpty ? "" : " supersedes \(start.supersedes)")
        case .postMessage(let post):
            return "\(head) postMessage in \(simulator.label(of: post.conversation)): \(quote(post.body))"
                + (post.supersedes.isEmpty ? "" : " supersedes \(post.supersedes)")
        case .markRead(let read):
            return "\(head) markRead \(simulator.label(of: read.conversation)) marker \(read.marker) clears \(read.clears)"
        case .markUnread(let unread): return "\(head) markUnread \(simulator.label(of: unread.conversation))"
        case .saveDraft(let save):
            return "\(head) saveDraft \(save.key) \(quote(save.text)) supersedes \(save.supersedes)"
        case .discardDraft(let discard): return "\(head) discardDraft \(discard.key) supersedes \(discard.supersedes)"
        case .setDelivery(let delivery): return "\(head) setDelivery \(delivery.message) \(delivery.state.rawValue)"
        case .redacted: return "\(head) redacted"
        }
    }

    static func quote(_ text: String) -> String {
        let short = text.count > 60 ? String(text.prefix(57)) + "…" : text
        return "\"\(short)\""
    }
}
