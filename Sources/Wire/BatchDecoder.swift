import Causality
import InboxModel

/// Reads a protobuf batch back into ops, checking every table index, id, enum and stamp.
/// Ops are also checked with `Op.validate()`, so a decoded batch holds only well-formed ops.
struct BatchDecoder {
    let proto: Outpost_V1_OpBatch
    private let replicas: [ReplicaID]
    private let principals: [Principal]

    init(_ proto: Outpost_V1_OpBatch) throws(WireError) {
        self.proto = proto
        var replicas: [ReplicaID] = []
        for raw in proto.replicas { replicas.append(try ProtoConversion.replica(raw)) }
        guard Set(replicas).count == replicas.count else { throw WireError.invalidContent("repeated replica in table") }
        self.replicas = replicas
        var principals: [Principal] = []
        for text in proto.principals {
            guard let principal = Principal(text: text) else { throw WireError.invalidContent("bad principal \(text)") }
            principals.append(principal)
        }
        self.principals = principals
    }

    func decode() throws(WireError) -> OpBatch {
        var ops: [Op] = []
        ops.reserveCapacity(proto.ops.count)
        for (index, op) in proto.ops.enumerated() {
            let decoded = try self.op(op, index: index)
            do {
                try decoded.validate()
            } catch {
                throw WireError.invalidContent("op \(index): \(error.message)")
            }
            ops.append(decoded)
        }
        return OpBatch(batch: proto.batch, ops: ops, more: proto.more)
    }

    private func replica(_ index: UInt32) throws(WireError) -> ReplicaID {
        guard Int(index) < replicas.count else { throw WireError.invalidContent("replica index \(index) out of range") }
        return replicas[Int(index)]
    }

    private func dot(_ proto: Outpost_V1_Dot) throws(WireError) -> Dot {
        guard proto.counter > 0 else { throw WireError.invalidContent("dot with counter 0") }
        guard proto.counter <= Dot.maxCounter else { throw WireError.invalidContent("dot counter \(proto.counter) is out of range") }
        return Dot(replica: try replica(proto.replica), counter: proto.counter)
    }

    private func dots(_ protos: [Outpost_V1_Dot]) throws(WireError) -> [Dot] {
        var result: [Dot] = []
        result.reserveCapacity(protos.count)
        for proto in protos { result.append(try dot(proto)) }
        return result
    }

    private func required(_ present: Bool, _ proto: Outpost_V1_Dot, _ what: String) throws(WireError) -> Dot {
        guard present else { throw WireError.invalidContent("\(what) is missing") }
        return try dot(proto)
    }

    private func draftKey(_ present: Bool, _ proto: Outpost_V1_DraftKey) throws(WireError) -> DraftKey {
        let dot = try required(present && proto.hasDot, proto.dot, "draft key")
        return proto.compose ? .compose(dot) : .conversation(ConversationID(dot))
    }

    private func name<ID: NameID>(_ text: String, _ type: ID.Type) throws(WireError) -> ID {
        guard let id = ID(rawValue: text) else { throw WireError.invalidContent("bad id \"\(text)\"") }
        return id
    }

    private func op(_ proto: Outpost_V1_Op, index: Int) throws(WireError) -> Op {
        let replica = try replica(proto.replica)
        guard proto.counter > 0 else { throw WireError.invalidContent("op \(index) has counter 0") }
        guard proto.counter <= Dot.maxCounter else {
            throw WireError.invalidContent("op \(index): counter \(proto.counter) is out of range")
        }
        let (wall, overflow) = self.proto.baseWall.addingReportingOverflow(UInt64(max(0, proto.wall)))
        guard proto.wall >= 0, !overflow, wall <= OpLimits.maxWall else {
            throw WireError.invalidContent("op \(index) has a bad stamp")
        }
        guard Int(proto.actor) < principals.count else {
            throw WireError.invalidContent("op \(index): actor index \(proto.actor) out of range")
        }
        let body: OpBody
        switch proto.body {
        case .setBrand(let value):
            body = .setBrand(Brand(id: try name(value.id, BrandID.self), name: value.name))
        case .upsertUser(let value):
            body = .upsertUser(User(id: try name(value.id, UserID.self), name: value.name, email: value.email))
        case .upsertPartner(let value):
            body = .upsertPartner(Partner(
                id: try name(value.id, PartnerID.self), name: value.name, contactEmail: value.contactEmail,
                status: try Self.status(value.status), statusSince: value.statusSince))
        case .startConversation(let value):
            var inquiry: CustomerInquiry?
            if value.hasInquiry {
                let proto = value.inquiry
                inquiry = CustomerInquiry(
                    customerName: proto.customerName, customerEmail: proto.customerEmail, storefront: proto.storefront,
                    product: proto.product, text: proto.text, askedAt: proto.askedAt)
            }
            body = .startConversation(StartConversation(
                kind: try Self.kind(value.kind), partner: try name(value.partner, PartnerID.self),
                subject: value.subject, inquiry: inquiry, body: value.body,
                draft: value.hasDraft ? try draftKey(true, value.draft) : nil,
                supersedes: try dots(value.supersedes)))
        case .postMessage(let value):
            body = .postMessage(PostMessage(
                conversation: ConversationID(try required(value.hasConversation, value.conversation, "conversation")),
                body: value.body, supersedes: try dots(value.supersedes)))
        case .markRead(let value):
            var marker = VersionVector()
            for dot in try dots(value.marker) {
                guard marker[dot.replica] == 0 else { throw WireError.invalidContent("marker repeats a replica") }
                marker.advance(dot)
            }
            body = .markRead(MarkRead(
                conversation: ConversationID(try required(value.hasConversation, value.conversation, "conversation")),
                marker: marker, clears: try dots(value.clears)))
        case .markUnread(let value):
            body = .markUnread(MarkUnread(
                conversation: ConversationID(try required(value.hasConversation, value.conversation, "conversation"))))
        case .saveDraft(let value):
            body = .saveDraft(SaveDraft(
                key: try draftKey(value.hasKey, value.key), text: value.text,
                partner: value.hasPartner ? try name(value.partner, PartnerID.self) : nil,
                subject: value.hasSubject ? value.subject : nil, supersedes: try dots(value.supersedes)))
        case .discardDraft(let value):
            body = .discardDraft(DiscardDraft(key: try draftKey(value.hasKey, value.key),
                                              supersedes: try dots(value.supersedes)))
        case .setDelivery(let value):
            body = .setDelivery(SetDelivery(
                message: MessageID(try required(value.hasMessage, value.message, "message")),
                state: try Self.delivery(value.state), reason: value.hasReason ? value.reason : nil))
        case .redacted:
            body = .redacted
        case nil:
            throw WireError.invalidContent("op \(index) has no body")
        }
        return Op(dot: Dot(replica: replica, counter: proto.counter),
                  stamp: HLCTimestamp(wall: wall, logical: proto.logical, replica: replica),
                  deps: try dots(proto.deps), actor: principals[Int(proto.actor)], body: body)
    }

    static func status(_ proto: Outpost_V1_PartnershipStatus) throws(WireError) -> PartnershipStatus {
        switch proto {
        case .pending: .pending
        case .active: .active
        case .paused: .paused
        case .ended: .ended
        case .unspecified, .UNRECOGNIZED: throw WireError.invalidContent("unknown partnership status")
        }
    }

    static func kind(_ proto: Outpost_V1_ConversationKind) throws(WireError) -> ConversationKind {
        switch proto {
        case .direct: .direct
        case .system: .system
        case .inquiry: .inquiry
        case .unspecified, .UNRECOGNIZED: throw WireError.invalidContent("unknown conversation kind")
        }
    }

    static func delivery(_ proto: Outpost_V1_DeliveryState) throws(WireError) -> DeliveryState {
        switch proto {
        case .pending: .pending
        case .queued: .queued
        case .sent: .sent
        case .failed: .failed
        case .unspecified, .UNRECOGNIZED: throw WireError.invalidContent("unknown delivery state")
        }
    }
}
