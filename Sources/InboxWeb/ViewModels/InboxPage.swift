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

/// What the inbox list's query string asks for: search words and filters, which combine, and the
/// page of the result.
public struct InboxQuery: Sendable, Hashable {
    public var search: String
    public var partner: String
    public var status: String
    public var kind: String
    public var unreadOnly: Bool
    /// 1 for the newest conversations, 2 for the ones after them, and so on.
    public var page: Int

    /// The highest page number the list answers: beyond it, `page` is ignored like any bad value.
    public static let maxPage = 100_000

    /// Reads `q`, `partner`, `status`, `kind`, `unread` and `page` from the query string; unknown
    /// values are ignored (they filter nothing, and a bad page is the first).
    public init(parameters: [String: String]) {
        search = parameters["q"]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        partner = parameters["partner"] ?? ""
        status = parameters["status"] ?? ""
        kind = parameters["kind"] ?? ""
        unreadOnly = ["1", "on", "true"].contains(parameters["unread"] ?? "")
        page = parameters["page"].flatMap { Int($0) }.flatMap { (1...Self.maxPage).contains($0) ? $0 : nil } ?? 1
    }

    /// The replica filter for page ``page`` of `pageSize` rows. It asks for one row more than the
    /// page shows, which tells whether an older page exists.
    public func filter(pageSize: Int) -> InboxFilter {
        var filter = filters
        filter.limit = pageSize + 1
        filter.offset = (page - 1) * pageSize
        return filter
    }

    /// The search and filters as the replica takes them; a value it does not know is `nil`.
    private var filters: InboxFilter {
        InboxFilter(unreadOnly: unreadOnly, partner: PartnerID(rawValue: partner),
                    status: PartnershipStatus(rawValue: status), kind: ConversationKind(rawValue: kind),
                    search: search.isEmpty ? nil : search)
    }

    /// The list's address with these filters and page `number` (filters left empty are left out).
    func href(page number: Int) -> String {
        var items: [(String, String)] = []
        if !search.isEmpty { items.append(("q", search)) }
        if !partner.isEmpty { items.append(("partner", partner)) }
        if !status.isEmpty { items.append(("status", status)) }
        if !kind.isEmpty { items.append(("kind", kind)) }
        if unreadOnly { items.append(("unread", "1")) }
        if number > 1 { items.append(("page", String(number))) }
        guard !items.isEmpty else { return "/inbox" }
        return "/inbox?" + items.map { name, value in
            "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: Self.unreserved) ?? "")"
        }.joined(separator: "&")
    }

    /// RFC 3986's unreserved characters: only these stay as they are in a link, so `+`, `&` and
    /// `=` in a search survive.
    private static let unreserved = CharacterSet(
        charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")

    /// Whether any search or filter narrows the list (a value the replica does not know does not).
    var isFiltered: Bool { filters != InboxFilter() }
}

/// The inbox list page: filters, one page of rows with links to the newer and older pages, and
/// what to say when nothing matches.
struct InboxPage: Sendable {
    var title = "Inbox"
    var query: String
    var unreadOnly: Bool
    var selects: [SelectModel]
    var rows: [InboxRowModel]
    var isEmpty: Bool
    var emptyText: String
    var countText: String
    /// Links to the pages of newer and older conversations, when there are such pages.
    var newerHref: String?
    var olderHref: String?
    /// Whether the pager shows (a stored property: templates read stored properties only).
    var paged: Bool

    /// `rows` as ``InboxQuery/filter(pageSize:)`` fetched them: up to one more than `pageSize`.
    init(query: InboxQuery, rows fetched: [InboxRow], pageSize: Int, partners: [PartnerSummary], now: Date) {
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
        let rows = fetched.prefix(pageSize)
        self.rows = rows.map { InboxRowModel($0, now: now) }
        newerHref = query.page > 1 ? query.href(page: query.page - 1) : nil
        olderHref = fetched.count > pageSize ? query.href(page: query.page + 1) : nil
        paged = newerHref != nil || olderHref != nil
        isEmpty = rows.isEmpty
        emptyText = query.page > 1 ? "No more conversations: this page is past the last one."
            : query.isFiltered ? "No conversation matches these filters." : "The inbox is empty."
        let unread = rows.filter(\.unread).count
        if !paged {
            countText = DisplayText.plural(rows.count, "conversation") + (unread > 0 ? ", \(unread) unread" : "")
        } else {
            let first = (query.page - 1) * pageSize + 1
            countText = rows.isEmpty ? "Page \(query.page)"
                : "Conversations \(first)–\(first + rows.count - 1), newest first"
                    + (unread > 0 ? "; \(unread) unread on this page" : "")
        }
    }
}
