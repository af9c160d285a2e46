import Foundation
import InboxModel
import Replica

/// A row of the partners list.
struct PartnerRowModel: Sendable {
    var id: String
    var href: String
    var name: String
    var email: String
    var status: String
    var statusLabel: String
    var conversations: String
    var unread: String?
    var lastActivity: String?

    init(_ summary: PartnerSummary, now: Date) {
        id = summary.partner.id.rawValue
        href = "/partners/\(summary.partner.id.rawValue)"
        name = summary.partner.name
        email = summary.partner.contactEmail
        status = summary.partner.status.rawValue
        statusLabel = DisplayText.status(summary.partner.status)
        conversations = DisplayText.plural(summary.conversations, "conversation")
        unread = summary.unreadConversations > 0 ? "\(summary.unreadConversations) unread" : nil
        lastActivity = summary.lastActivity.map { DisplayText.date($0, now: now) }
    }
}

/// The partners list page.
struct PartnersPage: Sendable {
    var title = "Partners"
    var partners: [PartnerRowModel]
    var selects: [SelectModel]

    init(_ partners: [PartnerSummary], status: PartnershipStatus?, now: Date) {
        self.partners = partners.map { PartnerRowModel($0, now: now) }
        selects = [.status(status?.rawValue ?? "")]
    }
}

/// A partner's profile: the panel, recent conversations, and *Message*.
struct PartnerProfilePage: Sendable {
    var title: String
    var partner: PartnerPanelModel
    var rows: [InboxRowModel]
    var isEmpty: Bool

    init(_ profile: PartnerProfile, now: Date) {
        title = profile.panel.partner.name
        partner = PartnerPanelModel(profile.panel)
        rows = profile.recent.map { InboxRowModel($0, now: now) }
        isEmpty = profile.recent.isEmpty
    }
}

/// The *New message* form.
struct ComposePage: Sendable {
    var title = "New message"
    var partners: [OptionModel]
    var subject: String
    var text: String
    var error: String?

    init(partners: [PartnerSummary], selected: String?, subject: String = "", text: String = "", error: String? = nil) {
        self.partners = partners.filter { $0.partner.status != .ended }.map {
            OptionModel(value: $0.partner.id.rawValue, label: $0.partner.name, selected: $0.partner.id.rawValue == selected)
        }
        self.subject = subject
        self.text = text
        self.error = error
    }
}
