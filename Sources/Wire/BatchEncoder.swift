import Causality
import InboxModel

/// Writes one op as its payload (a one-op protobuf `OpBatch`), with each replica and principal
/// written once in the payload's tables and the stamp as an offset from `base_wall`.
struct BatchEncoder {
    private var replicas: [UInt64] = []
    private var replicaIndex: [ReplicaID: UInt32] = [:]
    private var principals: [String] = []
    private var principalIndex: [String: UInt32] = [:]

    static func encode(_ op: Op) -> Outpost_V1_OpBatch {
        encode([op])
    }

    /// Ops sharing one set of tables and one `base_wall`: an op payload when there is one op (tests
    /// build table-sharing batches to break one field at a time).
    static func encode(_ ops: [Op]) -> Outpost_V1_OpBatch {
        var encoder = BatchEncoder()
        var proto = Outpost_V1_OpBatch()
        proto.baseWall = ops.map(\.stamp.wall).min() ?? 0
        proto.ops = ops.map { encoder.op($0, baseWall: proto.baseWall) }
        proto.replicas = encoder.replicas
        proto.principals = encoder.principals
        return proto
    }

    private mutating func index(_ replica: ReplicaID) -> UInt32 {
        if let index = replicaIndex[replica] { return index }
        let index = UInt32(replicas.count)
        replicas.append(replica.rawValue)
        replicaIndex[replica] = index
        return index
    }

    private mutating func index(_ principal: Principal) -> UInt32 {
        let text = principal.description
        if let index = principalIndex[text] { return index }
        let index = UInt32(principals.count)
        principals.append(text)
        principalIndex[text] = index
        return index
    }

    private mutating func dot(_ dot: Dot) -> Outpost_V1_Dot {
        var proto = Outpost_V1_Dot()
        proto.replica = index(dot.replica)
        proto.counter = dot.counter
        return proto
    }

    private mutating func draftKey(_ key: DraftKey) -> Outpost_V1_DraftKey {
        var proto = Outpost_V1_DraftKey()
        proto.dot = dot(key.dot)
        proto.compose = key.isCompose
        return proto
    }

    private mutating func op(_ op: Op, baseWall: UInt64) -> Outpost_V1_Op {
        var proto = Outpost_V1_Op()
        proto.replica = index(op.dot.replica)
        proto.counter = op.dot.counter
        proto.wall = Int64(clamping: op.stamp.wall - baseWall)
        proto.logical = op.stamp.logical
        proto.deps = op.deps.map { dot($0) }
        proto.actor = index(op.actor)
        switch op.body {
        case .setBrand(let brand):
            var body = Outpost_V1_SetBrand()
            body.id = brand.id.rawValue
            body.name = brand.name
            proto.body = .setBrand(body)
        case .upsertUser(let user):
            var body = Outpost_V1_UpsertUser()
            body.id = user.id.rawValue
            body.name = user.name
            body.email = user.email
            proto.body = .upsertUser(body)
        case .upsertPartner(let partner):
            var body = Outpost_V1_UpsertPartner()
            body.id = partner.id.rawValue
            body.name = partner.name
            body.contactEmail = partner.contactEmail
            body.status = Self.status(partner.status)
            body.statusSince = partner.statusSince
            proto.body = .upsertPartner(body)
        case .startConversation(let start):
            var body = Outpost_V1_StartConversation()
            body.kind = Self.kind(start.kind)
            body.partner = start.partner.rawValue
            body.subject = start.subject
            if let inquiry = start.inquiry {
                var proto = Outpost_V1_CustomerInquiry()
                proto.customerName = inquiry.customerName
                proto.customerEmail = inquiry.customerEmail
                proto.storefront = inquiry.storefront
                proto.product = inquiry.product
                proto.text = inquiry.text
                proto.askedAt = inquiry.askedAt
                body.inquiry = proto
            }
            body.body = start.body
            if let draft = start.draft { body.draft = draftKey(draft) }
            body.supersedes = start.supersedes.map { dot($0) }
            proto.body = .startConversation(body)
        case .postMessage(let post):
            var body = Outpost_V1_PostMessage()
            body.conversation = dot(post.conversation.dot)
            body.body = post.body
            body.supersedes = post.supersedes.map { dot($0) }
            proto.body = .postMessage(body)
        case .markRead(let read):
            var body = Outpost_V1_MarkRead()
            body.conversation = dot(read.conversation.dot)
            body.marker = read.marker.dots.map { dot($0) }
            body.clears = read.clears.map { dot($0) }
            proto.body = .markRead(body)
        case .markUnread(let unread):
            var body = Outpost_V1_MarkUnread()
            body.conversation = dot(unread.conversation.dot)
            proto.body = .markUnread(body)
        case .saveDraft(let save):
            var body = Outpost_V1_SaveDraft()
            body.key = draftKey(save.key)
            body.text = save.text
            if let partner = save.partner { body.partner = partner.rawValue }
            if let subject = save.subject { body.subject = subject }
            body.supersedes = save.supersedes.map { dot($0) }
            proto.body = .saveDraft(body)
        case .discardDraft(let discard):
            var body = Outpost_V1_DiscardDraft()
            body.key = draftKey(discard.key)
            body.supersedes = discard.supersedes.map { dot($0) }
            proto.body = .discardDraft(body)
        case .setDelivery(let delivery):
            var body = Outpost_V1_SetDelivery()
            body.message = dot(delivery.message.dot)
            body.state = Self.delivery(delivery.state)
            if let reason = delivery.reason { body.reason = reason }
            proto.body = .setDelivery(body)
        case .redacted:
            proto.body = .redacted(Outpost_V1_Redacted())
        }
        return proto
    }

    static func status(_ status: PartnershipStatus) -> Outpost_V1_PartnershipStatus {
        switch status {
        case .pending: .pending
        case .active: .active
        case .paused: .paused
        case .ended: .ended
        }
    }

    static func kind(_ kind: ConversationKind) -> Outpost_V1_ConversationKind {
        switch kind {
        case .direct: .direct
        case .system: .system
        case .inquiry: .inquiry
        }
    }

    static func delivery(_ state: DeliveryState) -> Outpost_V1_DeliveryState {
        switch state {
        case .pending: .pending
        case .queued: .queued
        case .sent: .sent
        case .failed: .failed
        }
    }
}
