import ArgumentParser
import InboxModel
import Replica

struct PartnersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "partners", abstract: "List partners by name.")

    @OptionGroup var replicaOptions: ReplicaOptions

    @Option(name: .long, help: ArgumentHelp("Only this status: pending, active, paused, ended.", valueName: "status"))
    var status: PartnershipStatus?

    @Flag(name: .long, help: "JSON output.")
    var json = false

    func run() throws {
        let replica = try replicaOptions.open()
        let partners = try cli { try replica.partners(status: status) }
        if json { return try Output.json(partners) }
        guard !partners.isEmpty else { return print("No partners.") }
        Output.table(partners.map { summary in
            [summary.partner.id.rawValue, summary.partner.name, summary.partner.status.rawValue,
             "since " + Output.shortDate(summary.partner.statusSince), "\(summary.conversations)",
             summary.unreadConversations > 0 ? "\(summary.unreadConversations) unread" : "",
             summary.partner.contactEmail]
        }, header: ["ID", "NAME", "STATUS", "SINCE", "CONV", "UNREAD", "EMAIL"])
    }
}

struct PartnerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "partner",
        abstract: "A partner's profile: contact, partnership status, and recent conversations.",
        discussion: "Write to them with `outpost compose --partner ID --subject S TEXT`.")

    @OptionGroup var replicaOptions: ReplicaOptions

    @Argument(help: "The partner (id or name).")
    var partner: String

    @Flag(name: .long, help: "JSON output.")
    var json = false

    func run() throws {
        let replica = try replicaOptions.open()
        let id = try cli { try replica.resolvePartner(partner) }
        let profile = try cli { try replica.partner(id) }
        if json { return try Output.json(profile) }
        Self.renderPanel(profile.panel)
        print("")
        Output.inbox(profile.recent, emptyMessage: "No conversations yet.")
        print("")
        print("Message them: outpost compose --partner \(id) --subject SUBJECT TEXT")
    }

    static func renderPanel(_ panel: PartnerPanel) {
        let partner = panel.partner
        print("\(partner.name) (\(partner.id))")
        print("  Contact:      \(partner.contactEmail)")
        print("  Partnership:  \(partner.status.rawValue) since \(Output.longDate(partner.statusSince))"
              + (partner.status == .ended ? " (left the platform)" : ""))
        print("  Conversations: \(panel.conversations), messages: \(panel.messages), unread: \(panel.unreadConversations)"
              + (panel.lastActivity.map { ", last activity \(Output.longDate($0))" } ?? ""))
    }
}
