import ArgumentParser
import InboxModel
import Replica

/// The inbox filters, shared by `inbox` and `search`.
struct InboxFilterOptions: ParsableArguments {
    @Flag(name: .long, help: "Only unread conversations.")
    var unread = false

    @Option(name: .long, help: ArgumentHelp("Only this partner (id or name).", valueName: "partner"))
    var partner: String?

    @Option(name: .long, help: ArgumentHelp("Only partners in this partnership status: pending, active, paused, ended.",
                                            valueName: "status"))
    var status: PartnershipStatus?

    @Option(name: .long, help: ArgumentHelp("Only this kind of conversation: direct, system, inquiry.", valueName: "kind"))
    var kind: ConversationKind?

    @Option(name: .long, help: "How many rows (1–10000).")
    var limit = 20

    @Option(name: .long, help: "Skip this many rows (for the next page).")
    var offset = 0

    @Flag(name: .long, help: "JSON output (an array of rows).")
    var json = false

    func validate() throws {
        guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be between 1 and 10000") }
        guard offset >= 0 else { throw ValidationError("--offset must be 0 or more") }
    }

    func filter(_ replica: Replica, search: String?) throws(CLIError) -> InboxFilter {
        let partnerID = try partner.map { text throws(CLIError) in try cli { try replica.resolvePartner(text) } }
        return InboxFilter(unreadOnly: unread, partner: partnerID, status: status, kind: kind, search: search,
                           limit: limit, offset: offset)
    }
}
