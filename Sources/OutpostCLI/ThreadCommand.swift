import ArgumentParser
import InboxModel
import Replica

struct ThreadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "thread",
        abstract: "Show a conversation, oldest message first, beside the partner's info. Marks it read.")

    @OptionGroup var replicaOptions: ReplicaOptions

    @Argument(help: "The conversation id (as `outpost inbox` shows it, e.g. 1:42).")
    var id: String

    @Flag(name: .long, help: "Look without marking the conversation read.")
    var peek = false

    @Flag(name: .long, help: "JSON output.")
    var json = false

    func run() throws {
        let conversation = try parseConversation(id)
        let replica = try replicaOptions.open()
        let view = try cli { try replica.thread(conversation, markRead: !peek) }
        if json { return try Output.json(view) }
        Self.render(view)
    }

    static func render(_ view: ThreadView) {
        let partner = view.partner.partner
        print("\(view.subject)  [\(Output.kindLabel(view.kind))]  \(view.id)")
        print("with \(partner.name) <\(partner.contactEmail)>")
        print(String(repeating: "─", count: 72))
        if let inquiry = view.inquiry {
            print("┌ Forwarded customer message")
            print("│ From: \(inquiry.customerName) <\(inquiry.customerEmail)>")
            print("│ Storefront: \(inquiry.storefront) · Product: \(inquiry.product) · \(Output.longDate(inquiry.askedAt))")
            for line in inquiry.text.split(separator: "\n", omittingEmptySubsequences: false) { print("│ \(line)") }
            print("└")
        }
        for message in view.messages {
            var heading = "\(Output.longDate(message.time))  \(message.authorName)"
            if message.isOwn { heading += " (you)" }
            if let delivery = message.delivery {
                heading += " · \(delivery.rawValue)"
                if let reason = message.deliveryReason { heading += ": \(reason)" }
            }
            if message.unread { heading += " · new" }
            print(heading)
            for line in message.body.split(separator: "\n", omittingEmptySubsequences: false) { print("    \(line)") }
            print("")
        }
        if view.kind == .system {
            print("(system notification: read-only)")
        }
        if let merged = view.draftMerged {
            print("Draft (merged from \(view.draft.count) devices): \(Output.fit(merged, 100))")
        } else if !view.draft.isEmpty {
            print(view.draft.count > 1
                  ? "Draft in conflict: \(view.draft.count) versions (see `outpost draft \(view.id)`)"
                  : "Draft: \(Output.fit(view.draft[0].text, 100))")
        }
        print(String(repeating: "─", count: 72))
        PartnerCommand.renderPanel(view.partner)
    }
}
