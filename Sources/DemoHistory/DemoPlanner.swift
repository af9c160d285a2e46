import Causality
import InboxModel

/// One thing that happens in the demo's history, at a unique time.
struct Event {
    enum Kind {
        case brand
        case user(UInt8)
        case partner(UInt32, PartnershipStatus)
        /// Message `index` of conversation `c` (index 0 starts it).
        case message(UInt32, UInt32)
        case read(UInt32, onTablet: Bool)
        case unread(UInt32)
        case delivery(UInt32, UInt32, failed: Bool)
        /// Slots 0 and 1: a thread draft on the laptop; 2: a compose draft to partner `c`; 3: a
        /// concurrent tablet version of slot 1's draft.
        case draft(UInt32, slot: UInt8)
    }

    var time: UInt64
    var kind: Kind
}

struct PartnerPlan {
    var id: PartnerID
    var name: String
    var email: String
    var status: PartnershipStatus
    /// When the partnership reached `status`.
    var since: UInt64
}

struct ConversationPlan {
    var kind: ConversationKind
    var partner: UInt32
    var subject: String
    var inquiry: CustomerInquiry?
    var product: UInt8
    var systemEvent: UInt8
    var authors: [DemoAuthor]
}

/// Lays out the demo's history: who exists, which conversations happen when, who writes, who
/// reads. Pure and seeded.
struct DemoPlanner {
    let options: DemoOptions
    private var rng: SplitMix64
    private var events: [Event] = []
    private let day: UInt64 = 86_400_000
    private let start: UInt64
    private let end: UInt64

    init(options: DemoOptions) {
        self.options = options
        rng = SplitMix64(seed: options.seed)
        start = options.now - 120 * 86_400_000
        end = options.now - 10 * 60_000
    }

    mutating func make() -> ([Event], [ConversationPlan], [PartnerPlan]) {
        let partners = planPartners()
        var conversations = planConversations(partners)
        assignMessages(&conversations)
        planMessagesAndReads(conversations, partners)
        planDrafts(conversations, partners)
        events.sort { $0.time < $1.time }
        var last: UInt64 = 0
        for index in events.indices {
            if events[index].time <= last { events[index].time = last + 1 }
            last = events[index].time
        }
        return (events, conversations, partners)
    }

    private mutating func planPartners() -> [PartnerPlan] {
        events.append(Event(time: start - 2 * day, kind: .brand))
        events.append(Event(time: start - 2 * day + 1, kind: .user(0)))
        events.append(Event(time: start - 2 * day + 2, kind: .user(1)))
        var partners: [PartnerPlan] = []
        let statuses: [PartnershipStatus] = [.active, .active, .paused, .active, .ended, .active, .pending, .active,
                                             .active, .paused, .active, .ended, .active, .pending, .active, .active,
                                             .ended, .paused, .active, .pending]
        for index in 0..<options.partners {
            let name = index < DemoText.partnerNames.count
                ? DemoText.partnerNames[index]
                : "\(DemoText.nameWords[index % 20]) \(DemoText.nameKinds[(index / 20) % 10]) \(index / 200 + 1)"
            let slug = String(name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" })
                .split(separator: "-").joined(separator: "-")
            let id = PartnerID(unchecked: "p\(index + 1)-" + slug.prefix(40))
            let status = statuses[index % statuses.count]
            let invited = start - day + UInt64(index)
            events.append(Event(time: invited, kind: .partner(UInt32(index), .pending)))
            var since = invited
            if status != .pending {
                since = start + UInt64(rng.int(in: 0...10)) * day + UInt64(index)
                events.append(Event(time: since, kind: .partner(UInt32(index), .active)))
                if status != .active {
                    since = options.now - UInt64(rng.int(in: 3...60)) * day
                    events.append(Event(time: since, kind: .partner(UInt32(index), status)))
                }
            }
            partners.append(PartnerPlan(id: id, name: name, email: "hello@\(slug.prefix(30)).example",
                                        status: status, since: since))
        }
        return partners
    }

    private mutating func planConversations(_ partners: [PartnerPlan]) -> [ConversationPlan] {
        var conversations: [ConversationPlan] = []
        let working = partners.indices.filter { partners[$0].status != .pending }
        // Every partner that left gets its "left the platform" notification.
        for index in partners.indices where partners[index].status == .ended && conversations.count < options.conversations {
            conversations.append(ConversationPlan(
                kind: .system, partner: UInt32(index), subject: "Partner left the platform", inquiry: nil,
                product: UInt8(rng.int(in: 0...DemoText.products.count - 1)), systemEvent: 0, authors: []))
        }
        while conversations.count < options.conversations {
            let roll = rng.int(in: 0...99)
            let product = UInt8(rng.int(in: 0...DemoText.products.count - 1))
            let productName = DemoText.products[Int(product)]
            if roll < 70 || working.isEmpty {
                let partner = roll < 8 || working.isEmpty ? rng.int(in: 0...partners.count - 1) : rng.pick(working)
                let subject = DemoText.fill(rng.pick(DemoText.directSubjects), product: productName,
                                            partner: partners[partner].name, number: 0)
                conversations.append(ConversationPlan(kind: .direct, partner: UInt32(partner), subject: subject,
                                                      inquiry: nil, product: product, systemEvent: 0, authors: []))
            } else if roll < 85 {
                let partner = rng.pick(working)
                let customer = "\(rng.pick(DemoText.customerFirst)) \(rng.pick(DemoText.customerLast))"
                let question = DemoText.fill(rng.pick(DemoText.customerQuestions), product: productName,
                                             partner: partners[partner].name, number: 0)
                let inquiry = CustomerInquiry(
                    customerName: customer,
                    customerEmail: customer.lowercased().replacingOccurrences(of: " ", with: ".") + "@mail.example",
                    storefront: "\(partners[partner].name) Shop", product: productName, text: question, askedAt: 0)
                conversations.append(ConversationPlan(kind: .inquiry, partner: UInt32(partner),
                                                      subject: CustomerInquiry.subject, inquiry: inquiry,
                                                      product: product, systemEvent: 0, authors: []))
            } else {
                let partner = rng.pick(working)
                let event = UInt8(rng.int(in: 1...DemoText.systemEvents.count - 1))
                let subject = DemoText.fill(DemoText.systemEvents[Int(event)].subject, product: productName,
                                            partner: partners[partner].name, number: 0)
                conversations.append(ConversationPlan(kind: .system, partner: UInt32(partner), subject: subject,
                                                      inquiry: nil, product: product, systemEvent: event, authors: []))
            }
        }
        return conversations
    }

    /// Every conversation gets one message, the rest go to random conversations; then who wrote each.
    private mutating func assignMessages(_ conversations: inout [ConversationPlan]) {
        var counts = Array(repeating: 1, count: conversations.count)
        for _ in 0..<max(0, options.messages - conversations.count) {
            counts[rng.int(in: 0...conversations.count - 1)] += 1
        }
        for index in conversations.indices {
            var authors: [DemoAuthor] = []
            authors.reserveCapacity(counts[index])
            let kind = conversations[index].kind
            for position in 0..<counts[index] {
                let author: DemoAuthor
                if kind == .system {
                    author = .platform
                } else if position == 0 {
                    author = kind == .inquiry || rng.chance(0.5) ? .partner : brandAuthor()
                } else {
                    let previous = authors[position - 1]
                    let sameSide = rng.chance(0.15)
                    author = (previous == .partner) != sameSide ? brandAuthor() : .partner
                }
                authors.append(author)
            }
            conversations[index].authors = authors
        }
    }

    private mutating func brandAuthor() -> DemoAuthor {
        let roll = rng.int(in: 0...99)
        return roll < 60 ? .danaLaptop : roll < 75 ? .danaTablet : .sam
    }

    private mutating func planMessagesAndReads(_ conversations: [ConversationPlan], _ partners: [PartnerPlan]) {
        var unreadMarks = 0
        for (index, conversation) in conversations.enumerated() {
            let c = UInt32(index)
            let partner = partners[Int(conversation.partner)]
            var t0: UInt64
            if conversation.kind == .system && conversation.systemEvent == 0 {
                t0 = partner.since + 1000
            } else {
                let earliest = partner.status == .pending ? partner.since + 1000 : start + 11 * day
                let latest = partner.status == .ended || partner.status == .paused ? partner.since : end - day / 2
                t0 = earliest + UInt64.random(in: 0...max(1, latest > earliest ? latest - earliest : 1), using: &rng)
            }
            t0 = min(t0, end - 2 * 60_000)
            let span = max(60_001, min(UInt64(rng.int(in: 1...20)) * day / 2, end - t0))
            var offsets = (1..<max(1, conversation.authors.count)).map { _ in UInt64.random(in: 60_000...span, using: &rng) }
            offsets.sort()
            let times = [t0] + offsets.map { t0 + $0 }
            var lastOther: UInt64?
            for (position, author) in conversation.authors.enumerated() {
                let time = times[position]
                events.append(Event(time: time, kind: .message(c, UInt32(position))))
                if !author.isViewer { lastOther = time }
                if author.isBrandUser && time + 90_000 < options.now - 5 * 60_000 {
                    let failed = partner.status == .ended && time > partner.since
                    events.append(Event(time: time + 90_000, kind: .delivery(c, UInt32(position), failed: failed)))
                }
            }
            guard let lastOther else { continue }
            let readAt = lastOther + UInt64(rng.int(in: 5...240)) * 60_000
            if readAt < options.now - 60_000 && !rng.chance(0.12) {
                events.append(Event(time: readAt, kind: .read(c, onTablet: rng.chance(0.2))))
                if unreadMarks < 3 && conversation.kind != .system && readAt + 3_600_000 < options.now && rng.chance(0.1) {
                    events.append(Event(time: readAt + 3_600_000, kind: .unread(c)))
                    unreadMarks += 1
                }
            }
        }
    }

    private mutating func planDrafts(_ conversations: [ConversationPlan], _ partners: [PartnerPlan]) {
        let candidates = conversations.indices.filter { conversations[$0].kind == .direct }
        guard candidates.count >= 2 else { return }
        let first = UInt32(candidates[candidates.count - 1])
        let second = UInt32(candidates[candidates.count / 2])
        events.append(Event(time: options.now - 3 * 3_600_000, kind: .draft(first, slot: 0)))
        events.append(Event(time: options.now - 90 * 60_000, kind: .draft(second, slot: 1)))
        events.append(Event(time: options.now - 80 * 60_000, kind: .draft(second, slot: 3)))
        if let active = partners.firstIndex(where: { $0.status == .active }) {
            events.append(Event(time: options.now - 2 * 3_600_000, kind: .draft(UInt32(active), slot: 2)))
        }
    }
}
