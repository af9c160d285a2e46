import Causality
import InboxModel
import SwiftProtobuf

/// Reads an op payload (a one-op protobuf `OpBatch`) back into its op, checking every table index,
/// id, enum and stamp, and that no message of it carries a field this schema lacks (the bytes are
/// stored and forwarded as they are, so they may say nothing the op does not). The op is also
/// checked with `Op.validate()`, so a decoded op is well-formed.
struct BatchDecoder {
    let proto: Outpost_V1_OpBatch
    private let replicas: [ReplicaID]
    private let principals: [Principal]

    init(_ proto: Outpost_V1_OpBatch) throws(WireError) {
        try Self.known(proto, "op payload")
        self.proto = proto
        var replicas: [ReplicaID] = []
        replicas.reserveCapacity(proto.replicas.count)
        for raw in proto.replicas { replicas.append(try ProtoConversion.replica(raw)) }
        // A payload's table names the few replicas of one op: a scan beats building a set there,
        // and a set keeps a large (hostile) table linear.
        let repeated = replicas.count <= 16
            ? replicas.indices.contains { index in replicas[..<index].contains(replicas[index]) }
            : Set(replicas).count != replicas.count
        guard !repeated else { throw WireError.invalidContent("repeated replica in table") }
        self.replicas = replicas
        var principals: [Principal] = []
        for text in proto.principals {
            guard let principal = Principal(text: text) else { throw WireError.invalidContent("bad principal \(text)") }
            principals.append(principal)
        }
        self.principals = principals
    }

    /// The payload's one op.
    func decodeOne() throws(WireError) -> Op {
        guard proto.ops.count == 1 else { throw WireError.invalidContent("an op payload holds \(proto.ops.count) ops") }
        let decoded = try op(proto.ops[0])
        do {
            try decoded.validate()
        } catch {
            throw WireError.invalidContent(error.message)
        }
        return decoded
    }

    /// Refuses a message that carries fields this schema does not define.
    static func known(_ message: some SwiftProtobuf.Message, _ what: String) throws(WireError) {
        guard message.unknownFields.data.isEmpty else {
            throw WireError.invalidContent("\(what) carries a field this protocol version does not define")
        }
    }

    private func replica(_ index: UInt32) throws(WireError) -> ReplicaID {
        guard Int(index) < replicas.count else { throw WireError.invalidContent("replica index \(index) out of range") }
        return replicas[Int(index)]
    }

    private func dot(_ proto: Outpost_V1_Dot) throws(WireError) -> Dot {
        try Self.known(proto, "a dot")
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
        try Self.known(proto, "a draft key")
        let dot = try required(present && proto.hasDot, proto.dot, "draft key")
        return proto.compose ? .compose(dot) : .conversation(ConversationID(dot))
    }

    private func name<ID: NameID>(_ text: String, _ type: ID.Type) throws(WireError) -> ID {
        guard let id = ID(rawValue: text) else { throw WireError.invalidContent("bad id \"\(text)\"") }
        return id
    }

    private func op(_ proto: Outpost_V1_Op) throws(WireError) -> Op {
        try Self.known(proto, "an op")
        let replica = try replica(proto.replica)
        guard proto.counter > 0 else { throw WireError.invalidContent("the op has counter 0") }
        guard proto.counter <= Dot.maxCounter else {
            throw WireError.invalidContent("the op's counter \(proto.counter) is out of range")
        }
        let (wall, overflow) = self.proto.baseWall.addingReportingOverflow(UInt64(max(0, proto.wall)))
        guard proto.wall >= 0, !overflow, wall <= OpLimits.maxWall else {
            throw WireError.invalidContent("the op has a bad stamp")
        }
        guard Int(proto.actor) < principals.count else {
            throw WireError.invalidContent("actor index \(proto.actor) out of range")
        }
        let body: OpBody
        switch proto.body {
        case .setBrand(let value):
            try Self.known(value, "an op body")
            body = .setBrand(Brand(id: try name(value.id, BrandID.self), name: value.name))
        case .upsertUser(let value):
            try Self.known(value, "an op body")
            body = .upsertUser(User(id: try name(value.id, UserID.self), name: value.name, email: value.email))
        case .upsertPartner(let value):
            try Self.known(value, "an op body")
            body = .upsertPartner(Partner(
                id: try name(value.id, PartnerID.self), name: value.name, contactEmail: value.contactEmail,
                status: try Self.status(value.status), statusSince: value.statusSince))
        case .startConversation(let value):
            try Self.known(value, "an op body")
            var inquiry: CustomerInquiry?
            if value.hasInquiry {
                let proto = value.inquiry
                try Self.known(proto, "an inquiry")
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
            try Self.known(value, "an op body")
            body = .postMessage(PostMessage(
                conversation: ConversationID(try required(value.hasConversation, value.conversation, "conversation")),
                body: value.body, supersedes: try dots(value.supersedes)))
        case .markRead(let value):
            try Self.known(value, "an op body")
            var marker = VersionVector()
            for dot in try dots(value.marker) {
                guard marker[dot.replica] == 0 else { throw WireError.invalidContent("marker repeats a replica") }
                marker.advance(dot)
            }
            body = .markRead(MarkRead(
                conversation: ConversationID(try required(value.hasConversation, value.conversation, "conversation")),
                marker: marker, clears: try dots(value.clears)))
        case .markUnread(let value):
            try Self.known(value, "an op body")
            body = .markUnread(MarkUnread(
                conversation: ConversationID(try required(value.hasConversation, value.conversation, "conversation"))))
        case .saveDraft(let value):
            try Self.known(value, "an op body")
            body = .saveDraft(SaveDraft(
                key: try draftKey(value.hasKey, value.key), text: value.text,
                partner: value.hasPartner ? try name(value.partner, PartnerID.self) : nil,
                subject: value.hasSubject ? value.subject : nil, supersedes: try dots(value.supersedes)))
        case .discardDraft(let value):
            try Self.known(value, "an op body")
            body = .discardDraft(DiscardDraft(key: try draftKey(value.hasKey, value.key),
                                              supersedes: try dots(value.supersedes)))
        case .setDelivery(let value):
            try Self.known(value, "an op body")
            body = .setDelivery(SetDelivery(
                message: MessageID(try required(value.hasMessage, value.message, "message")),
                state: try Self.delivery(value.state), reason: value.hasReason ? value.reason : nil))
        case .redacted(let value):
            try Self.known(value, "an op body")
            body = .redacted
        case nil:
            throw WireError.invalidContent("the op has no body")
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
