import Foundation
import InboxModel
import Replica

/// One message in the thread view.
struct MessageModel: Sendable {
    var id: String
    var authorName: String
    var time: String
    var isoTime: String
    var body: String
    var isOwn: Bool
    var unread: Bool
    var fromPlatform: Bool
    /// For the viewer's own messages (and colleagues'): where delivery stands.
    var delivery: String?
    var deliveryLabel: String?
    var deliveryReason: String?

    init(_ message: ThreadMessage) {
        id = message.id.description
        authorName = message.authorName
        time = DisplayText.dateTime(message.time)
        isoTime = DisplayText.iso(message.time)
        body = message.body
        isOwn = message.isOwn
        unread = message.unread
        fromPlatform = message.author == .platform
        delivery = message.delivery?.rawValue
        deliveryLabel = message.delivery.map(DisplayText.delivery)
        deliveryReason = message.deliveryReason
    }
}

/// The forwarded customer message of a Customer Inquiry, set apart at the top of the thread.
struct InquiryModel: Sendable {
    var customerName: String
    var customerEmail: String
    var storefront: String
    var product: String
    var text: String
    var askedAt: String
    var isoAskedAt: String

    init(_ inquiry: CustomerInquiry) {
        customerName = inquiry.customerName
        customerEmail = inquiry.customerEmail
        storefront = inquiry.storefront
        product = inquiry.product
        text = inquiry.text
        askedAt = DisplayText.dateTime(inquiry.askedAt)
        isoAskedAt = DisplayText.iso(inquiry.askedAt)
    }
}

/// The partner info panel (beside a thread, and atop the partner's profile).
struct PartnerPanelModel: Sendable {
    var id: String
    var name: String
    var email: String
    var status: String
    var statusLabel: String
    var since: String
    var conversations: String
    var messages: String
    var unread: String
    var lastActivity: String?
    var canMessage: Bool

    init(_ panel: PartnerPanel) {
        id = panel.partner.id.rawValue
        name = panel.partner.name
        email = panel.partner.contactEmail
        status = panel.partner.status.rawValue
        statusLabel = DisplayText.status(panel.partner.status)
        since = DisplayText.dateTime(panel.partner.statusSince)
        conversations = DisplayText.plural(panel.conversations, "conversation")
        messages = DisplayText.plural(panel.messages, "message")
        unread = "\(panel.unreadConversations) unread"
        lastActivity = panel.lastActivity.map(DisplayText.dateTime)
        canMessage = panel.partner.status != .ended
    }
}

/// One version of a draft in conflict, with what the user needs to choose it.
struct DraftVersionModel: Sendable {
    var number: Int
    var version: String
    var text: String
    var savedAt: String
    var device: String
}

/// The reply box: the draft text (merged or single), or the versions in conflict.
struct DraftModel: Sendable {
    var key: String
    var text: String
    var inConflict: Bool
    var merged: Bool
    var versions: [DraftVersionModel]

    init(key: DraftKey, versions: [DraftVersionView], merged: String?, thisDevice: String) {
        self.key = key.description
        self.merged = merged != nil && versions.count > 1
        inConflict = versions.count > 1 && merged == nil
        self.versions = versions.enumerated().map { index, version in
            let device = version.savedOn.description
            return DraftVersionModel(number: index + 1, version: version.version.description, text: version.text,
                                     savedAt: DisplayText.dateTime(version.savedAt),
                                     device: device == thisDevice ? "this device" : "device \(device)")
        }
        // In conflict the box starts with every version, for the user to merge by hand.
        text = merged ?? (inConflict ? versions.map(\.text).joined(separator: "\n\n") : versions.first?.text ?? "")
    }
}

/// The thread view page.
struct ThreadPage: Sendable {
    var title: String
    var id: String
    var subject: String
    var kind: String
    var kindLabel: String
    var inquiry: InquiryModel?
    var messages: [MessageModel]
    var partner: PartnerPanelModel
    var canReply: Bool
    var draft: DraftModel

    init(_ view: ThreadView, thisDevice: String) {
        title = view.subject
        id = view.id.description
        subject = view.subject
        kind = view.kind.rawValue
        kindLabel = DisplayText.kind(view.kind)
        inquiry = view.inquiry.map(InquiryModel.init)
        messages = view.messages.map(MessageModel.init)
        partner = PartnerPanelModel(view.partner)
        canReply = view.kind != .system
        draft = DraftModel(key: .conversation(view.id), versions: view.draft, merged: view.draftMerged,
                           thisDevice: thisDevice)
    }
}
