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

/// A row of the drafts list: where it belongs and how it starts.
struct DraftRowModel: Sendable {
    var key: String
    var href: String
    var partnerName: String
    var subject: String
    var preview: String
    var kindLabel: String
    var inConflict: Bool

    init(_ draft: DraftView, partnerNames: [String: String]) {
        key = draft.key.description
        switch draft.key {
        case .conversation(let id):
            href = "/threads/\(id)#reply"
            kindLabel = "Reply"
        case .compose:
            href = "/compose?draft=\(draft.key)"
            kindLabel = "New message"
        }
        partnerName = draft.partner.flatMap { partnerNames[$0.rawValue] } ?? "No partner yet"
        subject = draft.subject.flatMap { $0.isEmpty ? nil : $0 } ?? "(no subject)"
        preview = draft.text ?? draft.versions.map(\.text).joined(separator: " / ")
        inConflict = draft.inConflict
    }
}

/// The drafts page: every draft of the user, newest first.
struct DraftsPage: Sendable {
    var title = "Drafts"
    var drafts: [DraftRowModel]
    var isEmpty: Bool

    init(_ drafts: [DraftView], partners: [PartnerSummary]) {
        let names = Dictionary(partners.map { ($0.partner.id.rawValue, $0.partner.name) }, uniquingKeysWith: { a, _ in a })
        self.drafts = drafts.map { DraftRowModel($0, partnerNames: names) }
        isEmpty = drafts.isEmpty
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

/// The *New message* form (a new one, or a compose draft resumed: ``draftKey``).
struct ComposePage: Sendable {
    var title = "New message"
    var partners: [OptionModel]
    var subject: String
    var text: String
    var draftKey: String
    var error: String?

    init(partners: [PartnerSummary], selected: String?, subject: String = "", text: String = "", draftKey: String = "",
         error: String? = nil) {
        self.draftKey = draftKey
        self.partners = partners.filter { $0.partner.status != .ended }.map {
            OptionModel(value: $0.partner.id.rawValue, label: $0.partner.name, selected: $0.partner.id.rawValue == selected)
        }
        self.subject = subject
        self.text = text
        self.error = error
    }
}
