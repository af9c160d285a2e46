public import InboxModel
internal import GRDB

extension Replica {
    /// The partners list, by name, optionally only those with one partnership status.
    public func partners(status: PartnershipStatus? = nil) throws(ReplicaError) -> [PartnerSummary] {
        try ReplicaError.wrap {
            try writer.read { db in
                let rows = try Row.fetchAll(db, sql: """
                    SELECT p.id, p.name, p.contact_email, p.status, p.status_since,
                           COUNT(c.id), COALESCE(SUM(c.unread), 0), MAX(c.last_wall)
                    FROM partners p LEFT JOIN conversations c ON c.partner_id = p.id
                    \(status == nil ? "" : "WHERE p.status = ?")
                    GROUP BY p.id ORDER BY p.name COLLATE NOCASE, p.id
                    """, arguments: status.map { [$0.rawValue] } ?? [])
                return try rows.map { row in
                    guard let id = PartnerID(rawValue: row[0]), let status = PartnershipStatus(rawValue: row[3]) else {
                        throw ReplicaError(.corrupt, "a partner cannot be read back")
                    }
                    return PartnerSummary(
                        partner: Partner(id: id, name: row[1], contactEmail: row[2], status: status,
                                         statusSince: UInt64(clamping: row[4] as Int64)),
                        conversations: row[5], unreadConversations: row[6],
                        lastActivity: (row[7] as Int64?).map(UInt64.init))
                }
            }
        }
    }

    /// A partner's profile: the info panel and their most recent conversations.
    public func partner(_ id: PartnerID, recent: Int = 10) throws(ReplicaError) -> PartnerProfile {
        let panel = try ReplicaError.wrap { try writer.read { db in try Self.panel(id, db) } }
        let rows = try inbox(InboxFilter(partner: id, limit: max(1, recent)))
        return PartnerProfile(panel: panel, recent: rows)
    }

    /// Finds a partner by id, or by name (case-insensitive; exact, else a unique prefix).
    public func resolvePartner(_ text: String) throws(ReplicaError) -> PartnerID {
        let needle = text.trimmingCharacters(in: .whitespaces)
        guard !needle.isEmpty else { throw ReplicaError(.invalidArgument, "the partner is empty") }
        return try ReplicaError.wrap {
            try writer.read { db in
                if let id = PartnerID(rawValue: needle),
                   try Bool.fetchOne(db, sql: "SELECT 1 FROM partners WHERE id = ?", arguments: [id.rawValue]) != nil {
                    return id
                }
                let exact = try String.fetchAll(
                    db, sql: "SELECT id FROM partners WHERE name = ? COLLATE NOCASE", arguments: [needle])
                if exact.count == 1, let id = PartnerID(rawValue: exact[0]) { return id }
                let pattern = needle.replacingOccurrences(of: "\\", with: "\\\\")
                    .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%"
                let prefix = exact.count > 1 ? exact : try String.fetchAll(
                    db, sql: "SELECT id FROM partners WHERE name LIKE ? ESCAPE '\\' ORDER BY name", arguments: [pattern])
                if prefix.count == 1, let id = PartnerID(rawValue: prefix[0]) { return id }
                if prefix.isEmpty { throw ReplicaError(.unknownPartner, "no partner \"\(needle)\"") }
                throw ReplicaError(.invalidArgument,
                                   "\"\(needle)\" matches \(prefix.count) partners (\(prefix.prefix(5).joined(separator: ", "))); give the id")
            }
        }
    }
}
