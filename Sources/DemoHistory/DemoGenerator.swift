import Causality
public import InboxModel

/// Makes a realistic inbox history as ops from several replicas, deterministically from a seed:
/// partners in every status, direct threads started by either side, Customer Inquiries, system
/// notifications, replies from two users on three devices, reads, an *unread* mark, delivery
/// states and drafts (one in conflict).
///
/// The ops come in causal order, in batches, so a replica applies them through the same path as
/// any remote batch; memory stays bounded for a million messages.
///
/// ```swift
/// var generator = DemoGenerator(DemoOptions(now: now))
/// while let batch = generator.nextBatch(max: 5000) { try replica.apply(batch) }
/// ```
public struct DemoGenerator {
    public let options: DemoOptions
    private let plan: [Event]
    private let conversations: [ConversationPlan]
    private let partners: [PartnerPlan]
    private var cursor = 0
    private var state: [ConversationState]
    private var counters: [ReplicaID: UInt64] = [:]
    private var seen = VersionVector()
    private var contexts: [ReplicaID: VersionVector] = [:]

    public init(_ options: DemoOptions) {
        self.options = options
        var planner = DemoPlanner(options: options)
        (plan, conversations, partners) = planner.make()
        state = Array(repeating: ConversationState(), count: conversations.count)
    }

    /// How many ops there are in all.
    public var totalOps: Int { plan.count }

    /// The next batch of at most `max` ops, or `nil` when done.
    public mutating func nextBatch(max: Int) -> [Op]? {
        guard cursor < plan.count else { return nil }
        var batch: [Op] = []
        batch.reserveCapacity(Swift.min(max, plan.count - cursor))
        while cursor < plan.count && batch.count < max {
            if let op = makeOp(plan[cursor]) { batch.append(op) }
            cursor += 1
        }
        return batch
    }

    // MARK: Ops

    private mutating func makeOp(_ event: Event) -> Op? {
        let options = options
        switch event.kind {
        case .brand:
            return op(.server, event.time, .platform, .setBrand(DemoWorld.brand))
        case .user(let index):
            let user = index == 0 ? DemoWorld.viewer : DemoWorld.colleague
            return op(.server, event.time, .platform, .upsertUser(user))
        case .partner(let index, let status):
            let plan = partners[Int(index)]
            return op(.server, event.time, .platform, .upsertPartner(Partner(
                id: plan.id, name: plan.name, contactEmail: plan.email, status: status, statusSince: event.time)))
        case .message(let c, let index):
            let conversation = conversations[Int(c)]
            let author = conversation.authors[Int(index)]
            var rng = SplitMix64(seed: options.seed, stream: 1, item: UInt64(c) << 24 | UInt64(index))
            let body = messageBody(conversation, author: author, index: Int(index), rng: &rng)
            let principal = author.principal(partner: partners[Int(conversation.partner)].id)
            let made: Op
            if index == 0 {
                var inquiry = conversation.inquiry
                inquiry?.askedAt = event.time - UInt64(rng.int(in: 1...48)) * 3_600_000
                made = op(author.device, event.time, principal, .startConversation(StartConversation(
                    kind: conversation.kind, partner: partners[Int(conversation.partner)].id,
                    subject: conversation.subject, inquiry: inquiry, body: body)))
                state[Int(c)].id = ConversationID(made.dot)
            } else {
                guard let id = state[Int(c)].id else { return nil }
                made = op(author.device, event.time, principal,
                          .postMessage(PostMessage(conversation: id, body: body)))
            }
            state[Int(c)].messages.append(made.dot)
            return made
        case .read(let c, let onTablet):
            guard let id = state[Int(c)].id else { return nil }
            var marker = VersionVector()
            for dot in state[Int(c)].messages { marker.advance(dot) }
            let clears = state[Int(c)].marks
            state[Int(c)].marks = []
            return op(onTablet ? .tablet : .laptop, event.time, .user(DemoWorld.viewer.id),
                      .markRead(MarkRead(conversation: id, marker: marker, clears: clears)))
        case .unread(let c):
            guard let id = state[Int(c)].id else { return nil }
            let made = op(.tablet, event.time, .user(DemoWorld.viewer.id), .markUnread(MarkUnread(conversation: id)))
            state[Int(c)].marks.append(made.dot)
            return made
        case .delivery(let c, let index, let failed):
            let messages = state[Int(c)].messages
            guard Int(index) < messages.count else { return nil }
            return op(.server, event.time, .platform, .setDelivery(SetDelivery(
                message: MessageID(messages[Int(index)]), state: failed ? .failed : .sent,
                reason: failed ? "the partner has left the platform; the reply was not delivered" : nil)))
        case .draft(let c, let slot):
            let dana = Principal.user(DemoWorld.viewer.id)
            switch slot {
            case 0, 1:
                guard let id = state[Int(c)].id else { return nil }
                return op(.laptop, event.time, dana, .saveDraft(SaveDraft(
                    key: .conversation(id), text: DemoText.draftTexts[Int(slot)])))
            case 2:
                let partner = partners[Int(c)]
                let made = op(.laptop, event.time, dana, .saveDraft(SaveDraft(
                    key: .compose(Dot(replica: DemoWorld.laptop, counter: (counters[DemoWorld.laptop] ?? 0) + 1)),
                    text: "Hi \(partner.name), we are putting together the autumn catalogue and would love to include you.",
                    partner: partner.id, subject: "Autumn catalogue preview")))
                return made
            default:
                // A draft written on the tablet without having seen the laptop's newest version of it:
                // the two stay side by side as a conflict.
                guard let id = state[Int(c)].id else { return nil }
                return op(.tablet, event.time, dana, .saveDraft(SaveDraft(
                    key: .conversation(id), text: "Thanks for flagging this. I talked to the team and we will replace the box."
                )), hidingNewestOf: DemoWorld.laptop)
            }
        }
    }

    private mutating func op(_ device: DemoDevice, _ time: UInt64, _ actor: Principal, _ body: OpBody,
                             hidingNewestOf hidden: ReplicaID? = nil) -> Op {
        op(device.replica, time, actor, body, hidingNewestOf: hidden)
    }

    private mutating func op(_ replica: ReplicaID, _ time: UInt64, _ actor: Principal, _ body: OpBody,
                             hidingNewestOf hidden: ReplicaID? = nil) -> Op {
        let counter = (counters[replica] ?? 0) + 1
        counters[replica] = counter
        var visible = seen
        visible[replica] = 0
        if let hidden { visible[hidden] = visible[hidden] - 1 }
        let context = contexts[replica] ?? VersionVector()
        let deps = visible.dots(above: context)
        contexts[replica] = context.joined(with: visible)
        let dot = Dot(replica: replica, counter: counter)
        seen.advance(dot)
        return Op(dot: dot, stamp: HLCTimestamp(wall: time, logical: 0, replica: replica), deps: deps, actor: actor,
                  body: body)
    }

    private func messageBody(_ conversation: ConversationPlan, author: DemoAuthor, index: Int,
                             rng: inout SplitMix64) -> String {
        let partner = partners[Int(conversation.partner)].name
        let product = DemoText.products[Int(conversation.product)]
        let fill = { (text: String, rng: inout SplitMix64) in
            DemoText.fill(text, product: product, partner: partner, number: rng.int(in: 10_000...99_999))
        }
        switch (conversation.kind, author) {
        case (.system, _):
            let event = DemoText.systemEvents[Int(conversation.systemEvent)]
            return index == 0 ? fill(event.body, &rng) : fill("Reminder: " + event.body, &rng)
        case (.inquiry, .partner) where index == 0:
            return rng.pick(DemoText.inquiryNotes) + " " + fill(rng.pick(DemoText.partnerLines), &rng)
        default:
            let lines = author == .partner ? DemoText.partnerLines : DemoText.brandLines
            let count = rng.int(in: 2...4)
            var sentences: [String] = []
            for line in lines.shuffled(using: &rng).prefix(count) { sentences.append(fill(line, &rng)) }
            let greeting = author == .partner ? "Hi Northwind team," : "Hi \(partner),"
            return greeting + " " + sentences.joined(separator: " ")
        }
    }
}

/// Which replica an author writes from.
enum DemoDevice {
    case server, laptop, tablet, colleague

    var replica: ReplicaID {
        switch self {
        case .server: DemoWorld.server
        case .laptop: DemoWorld.laptop
        case .tablet: DemoWorld.tablet
        case .colleague: DemoWorld.colleagueDevice
        }
    }
}

/// Who writes a demo message.
enum DemoAuthor: UInt8 {
    case partner, danaLaptop, danaTablet, sam, platform

    var isBrandUser: Bool { self == .danaLaptop || self == .danaTablet || self == .sam }
    var isViewer: Bool { self == .danaLaptop || self == .danaTablet }

    func principal(partner: PartnerID) -> Principal {
        switch self {
        case .partner: .partner(partner)
        case .platform: .platform
        case .danaLaptop, .danaTablet: .user(DemoWorld.viewer.id)
        case .sam: .user(DemoWorld.colleague.id)
        }
    }

    var device: DemoDevice {
        switch self {
        case .partner, .platform: .server
        case .danaLaptop: .laptop
        case .danaTablet: .tablet
        case .sam: .colleague
        }
    }
}

struct ConversationState {
    var id: ConversationID?
    var messages: [Dot] = []
    var marks: [Dot] = []
}
