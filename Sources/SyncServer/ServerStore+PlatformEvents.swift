import InboxModel
import Foundation
import Replica

/// Something that happened on the platform, for a brand's inbox (Protocol/SERVER_API.md,
/// "Platform events"): it becomes a read-only notification thread from the platform.
public struct PlatformEvent: Codable, Hashable, Sendable {
    /// The kinds of event; each has a default subject.
    public enum Kind: String, Codable, CaseIterable, Sendable {
        /// The partner left the platform: its partnership status becomes `ended` in the same commit.
        case partnerLeft = "partner_left"
        case productChanged = "product_changed"
        case proposalActivity = "proposal_activity"
        case order = "order"
    }

    /// The sender's id for the event: the same id delivered again makes no second notification.
    public var id: String
    public var brand: String
    public var type: Kind
    /// The partner the event concerns.
    public var partner: String
    /// The thread's subject; a default for the kind when absent.
    public var subject: String?
    public var text: String

    public init(id: String, brand: String, type: Kind, partner: String, subject: String? = nil, text: String) {
        self.id = id
        self.brand = brand
        self.type = type
        self.partner = partner
        self.subject = subject
        self.text = text
    }
}

/// What posting a platform event did.
public struct PlatformEventResult: Codable, Hashable, Sendable {
    /// The notification thread (the first delivery's, for a repeat).
    public var conversation: String
    /// `true` when this event id was delivered before: nothing new was made.
    public var duplicate: Bool
}

extension ServerStore {
    /// Records a platform event as a `system` conversation started by the platform, once per event
    /// id and brand. A `partner_left` event also sets the partner's status to `ended`, in the same
    /// transaction. Fails with `unknown_brand`, `unknown_partner` or `invalid_argument`.
    public func postPlatformEvent(_ event: PlatformEvent) throws(ServerError) -> PlatformEventResult {
        guard let brand = BrandID(rawValue: event.brand) else {
            throw ServerError(.invalidArgument, "not a brand id: \(event.brand)")
        }
        guard let partnerID = PartnerID(rawValue: event.partner) else {
            throw ServerError(.invalidArgument, "not a partner id: \(event.partner)")
        }
        guard (1...200).contains(event.id.utf8.count), !event.id.contains(where: { $0.isWhitespace || $0.isNewline }) else {
            throw ServerError(.invalidArgument, "the event id must be 1 to 200 characters without spaces")
        }
        try requireBrand(brand)
        let replica = try brandReplica(brand)
        guard var partner = try partner(partnerID, in: replica) else {
            throw ServerError(.unknownPartner, "brand \(brand) has no partner \(partnerID)")
        }
        let subject = event.subject ?? Self.defaultSubject(event.type, partner: partner.name)
        var ops: [(actor: Principal, body: OpBody)] = []
        if event.type == .partnerLeft && partner.status != .ended {
            partner.status = .ended
            partner.statusSince = clock.nowMilliseconds()
            ops.append((.platform, .upsertPartner(partner)))
        }
        ops.append((.platform, .startConversation(StartConversation(kind: .system, partner: partnerID,
                                                                     subject: subject, body: event.text))))
        let notification = ops[ops.count - 1]
        let result = try replicaCall { () throws(ReplicaError) in
            try replica.performServerOps(ops, once: ExternalID(source: "platform-event", id: event.id),
                                         sameRequest: ExternalID.sameLastOp(actor: notification.actor, body: notification.body))
        }
        // The conversation is the last op made (after the status change, when there is one).
        guard let dot = result.dots.last else { throw ServerError(.storageError, "no op was made") }
        return PlatformEventResult(conversation: dot.description, duplicate: result.duplicate)
    }

    static func defaultSubject(_ kind: PlatformEvent.Kind, partner: String) -> String {
        switch kind {
        case .partnerLeft: "\(partner) left the platform"
        case .productChanged: "Product changed: \(partner)"
        case .proposalActivity: "Proposal activity: \(partner)"
        case .order: "Order notification: \(partner)"
        }
    }
}
