import ArgumentParser
import Logging
import SyncServer

/// `outpost admin deliver`: one round of reply delivery now, in this process (Protocol/SERVER_API.md,
/// "Reply delivery"): for a server that runs with `--hold-mail`, or none.
struct AdminDeliverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deliver",
        abstract: "Deliver every reply that is owed and due now, as the server's delivery worker would.",
        discussion: """
            One round: every brand's journal is read for brand users' messages not yet sent or failed, and \
            each one that is due gets one attempt through the transport the options give (files in \
            DATA/outbox-mail by default, --mail-dir, or --smtp). Outcomes are committed to the brand replica \
            as a running server would commit them, so devices see them at their next sync. Meant for a server \
            started with --hold-mail (or none running): a server that delivers too may try the same message \
            at the same moment.
            """)
    @OptionGroup var dataOptions: ServerDataOptions
    @OptionGroup var delivery: MailTransportOptions
    @Flag(name: .long, help: "JSON output: {\"sent\": [...], \"failed\": [...], \"retrying\": [...]}.") var json = false

    /// One message's outcome, for `--json`.
    struct Entry: Encodable {
        var brand: String
        var message: String
        var conversation: String
        var messageID: String?
        var to: String?
        var attempt: Int?
        var reason: String?
    }

    struct Summary: Encodable {
        var sent: [Entry] = []
        var failed: [Entry] = []
        var retrying: [Entry] = []
    }

    func run() async throws {
        let store = try dataOptions.open()
        guard let configuration = delivery.configuration(data: dataOptions.data) else {
            throw CLIError("no delivery configured", code: "bad_request")
        }
        let reports = await store.deliverNow(configuration: configuration, logger: Logger(label: "outpost.deliver"))
        var summary = Summary()
        for report in reports {
            var entry = Entry(brand: report.brand.rawValue, message: report.message.description,
                              conversation: report.conversation.description)
            switch report.outcome {
            case .sent(let mail, let attempt):
                entry.messageID = mail.messageID
                entry.to = mail.to.description
                entry.attempt = attempt
                summary.sent.append(entry)
            case .failed(let reason):
                entry.reason = reason
                summary.failed.append(entry)
            case .retrying(let reason, let attempt):
                entry.reason = reason
                entry.attempt = attempt
                summary.retrying.append(entry)
            }
        }
        if json { return try Output.json(summary) }
        for entry in summary.sent {
            print("sent \(entry.brand) \(entry.message) to \(entry.to ?? "?") as <\(entry.messageID ?? "?")>")
        }
        for entry in summary.failed { print("failed \(entry.brand) \(entry.message): \(entry.reason ?? "")") }
        for entry in summary.retrying { print("retrying \(entry.brand) \(entry.message): \(entry.reason ?? "")") }
        print("\(summary.sent.count) sent, \(summary.failed.count) failed, \(summary.retrying.count) to retry; "
              + "where replies go: \(delivery.describe(data: dataOptions.data))")
    }
}
