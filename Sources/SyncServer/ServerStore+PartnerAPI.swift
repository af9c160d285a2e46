import Causality
public import InboxModel
import Foundation
import Replica
public import ServerAPI

/// The partner side of the inbox (Protocol/SERVER_API.md, "Partner API"): what a partner, through
/// its own token, may read and write in its one brand. Writes become server ops with the partner
/// as their actor, in the brand replica, and reach the brand's devices by sync like any other op.
///
/// A partner sees only its own `direct` and `inquiry` conversations; anything else is `not_found`,
/// exactly like an id that does not exist, so nothing leaks. A partner that has left the platform
/// (`ended`) may still read but not write (`partner_ended`).
extension ServerStore {
    /// The partner's conversations, newest activity first (at most `limit`).
    public func partnerConversations(_ access: PartnerAccess, limit: Int = 200) throws(ServerError)
        -> [PartnerConversation] {
        let replica = try brandReplica(access.brand)
        let rows = try replicaCall { () throws(ReplicaError) in
            try replica.inbox(InboxFilter(partner: access.partner, limit: min(max(limit, 1), 1_000)))
        }
        return rows.filter { $0.kind != .system }.map { row in
            PartnerConversation(id: row.id.description, kind: row.kind.rawValue, subject: row.subject,
                                preview: row.preview, messageCount: row.messageCount, lastActivity: row.lastActivity)
        }
    }

    /// One of the partner's threads.
    public func partnerThread(_ access: PartnerAccess, _ id: ConversationID) throws(ServerError) -> PartnerThread {
        let thread = try ownThread(access, id)
        return PartnerThread(
            id: thread.id.description, kind: thread.kind.rawValue, subject: thread.subject, inquiry: thread.inquiry,
            messages: thread.messages.map { message in
                PartnerMessage(id: message.id.description, from: message.author == .partner(access.partner) ? "partner" : "brand",
                               authorName: message.authorName, text: message.body, time: message.time)
            })
    }

    /// Starts a conversation with the brand.
    public func partnerStart(_ access: PartnerAccess, _ request: PartnerStartRequest,
                             idempotencyKey: String?) throws(ServerError) -> PartnerWriteResult {
        try requireWriter(access)
        let start = StartConversation(kind: .direct, partner: access.partner, subject: request.subject,
                                      body: request.text)
        let result = try write(access, .startConversation(start), idempotencyKey)
        return PartnerWriteResult(conversation: result.id.description, message: result.id.description,
                                  duplicate: result.duplicate)
    }

    /// Replies in one of the partner's threads.
    public func partnerReply(_ access: PartnerAccess, _ conversation: ConversationID, _ request: PartnerReplyRequest,
                             idempotencyKey: String?) throws(ServerError) -> PartnerWriteResult {
        try requireWriter(access)
        _ = try ownThread(access, conversation)
        let result = try write(access, .postMessage(PostMessage(conversation: conversation, body: request.text)),
                               idempotencyKey)
        return PartnerWriteResult(conversation: conversation.description, message: result.id.description,
                                  duplicate: result.duplicate)
    }

    /// Forwards a Customer Inquiry: a thread with the subject "Customer Inquiry", the customer's
    /// original message set apart, and the partner's note as its first message.
    public func partnerForward(_ access: PartnerAccess, _ request: PartnerForwardRequest,
                               idempotencyKey: String?) throws(ServerError) -> PartnerWriteResult {
        try requireWriter(access)
        try requireEmail(request.customerEmail)
        let inquiry = CustomerInquiry(customerName: request.customerName, customerEmail: request.customerEmail,
                                      storefront: request.storefront, product: request.product, text: request.text,
                                      askedAt: request.askedAt)
        let start = StartConversation(kind: .inquiry, partner: access.partner, subject: CustomerInquiry.subject,
                                      inquiry: inquiry, body: request.note)
        let result = try write(access, .startConversation(start), idempotencyKey)
        return PartnerWriteResult(conversation: result.id.description, message: result.id.description,
                                  duplicate: result.duplicate)
    }

    // MARK: Helpers

    private func ownThread(_ access: PartnerAccess, _ id: ConversationID) throws(ServerError) -> ThreadView {
        let replica = try brandReplica(access.brand)
        let thread: ThreadView
        do {
            thread = try replica.thread(id, markRead: false)
        } catch where error.code == .unknownConversation {
            throw ServerError.notFound("no conversation \(id)")
        } catch {
            throw ServerError.replica(error)
        }
        guard thread.partner.partner.id == access.partner, thread.kind != .system else {
            throw ServerError.notFound("no conversation \(id)")
        }
        return thread
    }

    private func requireWriter(_ access: PartnerAccess) throws(ServerError) {
        let replica = try brandReplica(access.brand)
        guard let partner = try partner(access.partner, in: replica) else {
            throw ServerError.unauthorized("the partner of this token no longer exists")
        }
        guard partner.status != .ended else {
            throw ServerError(.partnerEnded, "partner \(access.partner) has left the platform and can no longer write")
        }
    }

    /// Makes one op with the partner as its actor; a repeated idempotency key makes nothing new.
    private func write(_ access: PartnerAccess, _ body: OpBody, _ key: String?) throws(ServerError)
        -> (id: Dot, duplicate: Bool) {
        if let key {
            guard (1...200).contains(key.utf8.count), key.unicodeScalars.allSatisfy({ $0.value > 32 && $0.value < 127 })
            else { throw ServerError.badRequest("Idempotency-Key must be 1 to 200 printable ASCII characters") }
        }
        let replica = try brandReplica(access.brand)
        let external = key.map { ExternalID(source: "partner:\(access.partner)", id: $0) }
        let result = try replicaCall { () throws(ReplicaError) in
            try replica.performServerOps([(.partner(access.partner), body)], once: external)
        }
        guard let dot = result.dots.first else { throw ServerError(.storageError, "no op was made") }
        return (dot, result.duplicate)
    }
}
