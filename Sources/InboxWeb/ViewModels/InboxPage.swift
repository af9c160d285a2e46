import Foundation
import InboxModel
public import Replica

/// One inbox row as the list template shows it.
struct InboxRowModel: Sendable {
    var id: String
    var href: String
    var partnerName: String
    var partnerStatus: String
    var partnerStatusLabel: String
    var partnerID: String
    var subject: String
    var preview: String
    var date: String
    var isoDate: String
    var unread: Bool
    var kind: String
    var kindLabel: String
    var hasDraft: Bool

    init(_ row: InboxRow, now: Date) {
        id = row.id.description
        href = "/threads/\(row.id)"
        partnerName = row.partnerName
        partnerStatus = row.partnerStatus.rawValue
        partnerStatusLabel = DisplayText.status(row.partnerStatus)
        partnerID = row.partnerID.rawValue
        subject = row.subject
        preview = row.snippet ?? row.preview
        date = DisplayText.date(row.lastActivity, now: now)
        isoDate = DisplayText.iso(row.lastActivity)
        unread = row.unread
        kind = row.kind.rawValue
        kindLabel = DisplayText.kind(row.kind)
        hasDraft = row.hasDraft
    }
}

/// A choice in a `<select>`.
struct OptionModel: Sendable {
    var value: String
    var label: String
    var selected: Bool
}

/// A filter's `<select>`: its field name, label, the "any" choice and the others.
struct SelectModel: Sendable {
    var name: String
    var label: String
    var anyLabel: String
    var options: [OptionModel]

    static func status(_ selected: String) -> SelectModel {
        SelectModel(name: "status", label: "Partnership", anyLabel: "Any status",
                    options: PartnershipStatus.allCases.map {
                        OptionModel(value: $0.rawValue, label: DisplayText.status($0), selected: $0.rawValue == selected)
                    })
    }
}

/// What the inbox list's query string asks for: search words and filters, which combine.
public struct InboxQuery: Sendable, Hashable {
    public var search: String
    public var partner: String
    public var status: String
    public var kind: String
    public var unreadOnly: Bool

    /// Reads `q`, `partner`, `status`, `kind` and `unread` from the query string; unknown values
    /// are ignored (they filter nothing).
    public init(parameters: [String: String]) {
        search = parameters["q"]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        partner = parameters["partner"] ?? ""
        status = parameters["status"] ?? ""
        kind = parameters["kind"] ?? ""
        unreadOnly = ["1", "on", "true"].contains(parameters["unread"] ?? "")
    }

    /// The replica filter for this query.
    public var filter: InboxFilter {
        InboxFilter(unreadOnly: unreadOnly, partner: PartnerID(rawValue: partner),
                    status: PartnershipStatus(rawValue: status), kind: ConversationKind(rawValue: kind),
                    search: search.isEmpty ? nil : search, limit: 100)
    }

    var isFiltered: Bool { !search.isEmpty || filter.partner != nil || filter.status != nil || filter.kind != nil || unreadOnly }
}

/// The inbox list page: filters, rows, and what to say when nothing matches.
struct InboxPage: Sendable {
    var title = "Inbox"
    var query: String
    var unreadOnly: Bool
    var selects: [SelectModel]
    var rows: [InboxRowModel]
    var isEmpty: Bool
    var emptyText: String
    var countText: String

    init(query: InboxQuery, rows: [InboxRow], partners: [PartnerSummary], now: Date) {
        self.query = query.search
        unreadOnly = query.unreadOnly
        selects = [
            SelectModel(name: "partner", label: "Partner", anyLabel: "All partners", options: partners.map {
                OptionModel(value: $0.partner.id.rawValue, label: $0.partner.name,
                            selected: $0.partner.id.rawValue == query.partner)
            }),
            .status(query.status),
            SelectModel(name: "kind", label: "Kind", anyLabel: "All kinds", options: ConversationKind.allCases.map {
                OptionModel(value: $0.rawValue, label: DisplayText.kind($0), selected: $0.rawValue == query.kind)
            }),
        ]
        self.rows = rows.map { InboxRowModel($0, now: now) }
        isEmpty = rows.isEmpty
        emptyText = query.isFiltered ? "No conversation matches these filters." : "The inbox is empty."
        let unread = rows.filter(\.unread).count
        countText = DisplayText.plural(rows.count, "conversation") + (unread > 0 ? ", \(unread) unread" : "")
    }
}
