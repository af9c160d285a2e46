import ArgumentParser
import Foundation
import InboxModel
import ServerAPI
import SyncClient

/// `outpost partner-api`: the partner's side of the inbox, through the server's partner API
/// (Protocol/SERVER_API.md): list and read its threads, start one, reply, forward a Customer
/// Inquiry.
struct PartnerAPICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "partner-api",
        abstract: "Write to a brand as a partner, through the server's partner API.",
        discussion: """
            Needs a partner token (`outpost admin partner token --brand B PARTNER`), given with --token or \
            $OUTPOST_PARTNER_TOKEN, and the server's address (--server or $OUTPOST_SERVER).
            """,
        subcommands: [Conversations.self, Thread.self, Start.self, Reply.self, Forward.self, Batch.self])
}

/// `--server`, `--token`, `--json` and `--idempotency-key` of every `partner-api` command.
struct PartnerAPIOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The server's address ($OUTPOST_SERVER).", valueName: "url"))
    var server = ProcessInfo.processInfo.environment["OUTPOST_SERVER"] ?? "http://127.0.0.1:8750"

    @Option(name: .long, help: "The partner token ($OUTPOST_PARTNER_TOKEN).")
    var token = ProcessInfo.processInfo.environment["OUTPOST_PARTNER_TOKEN"] ?? ""

    @Flag(name: .long, help: "JSON output.")
    var json = false

    func validate() throws {
        guard let url = URL(string: server), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw ValidationError("--server must be an http:// or https:// address")
        }
        guard !token.isEmpty else { throw ValidationError("a partner token is needed: --token or $OUTPOST_PARTNER_TOKEN") }
    }

    var client: PartnerAPIClient { PartnerAPIClient(server: server, token: token) }
}

/// `--idempotency-key`: the same key again makes nothing new (a safe retry).
struct IdempotencyOption: ParsableArguments {
    @Option(name: .long, help: "Makes a retry safe: a second request with the same key makes nothing new.")
    var idempotencyKey: String?
}

extension PartnerAPICommand {
    struct Conversations: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List this partner's conversations with the brand.")
        @OptionGroup var options: PartnerAPIOptions

        func run() async throws {
            let client = options.client
            let conversations = try await http { () async throws(ServerHTTPError) in try await client.conversations() }
            if options.json { return try Output.json(conversations) }
            guard !conversations.isEmpty else { return print("No conversations.") }
            Output.table(conversations.map { [$0.id, $0.kind, Output.shortDate($0.lastActivity),
                                                     "\($0.messageCount)", $0.subject + " — " + $0.preview] },
                         header: ["ID", "KIND", "WHEN", "MSGS", "SUBJECT"])
        }
    }

    struct Thread: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one of this partner's threads.")
        @OptionGroup var options: PartnerAPIOptions
        @Argument(help: "The conversation id.") var id: String

        func run() async throws {
            let client = options.client, id = try PartnerAPICommand.conversation(id)
            let thread = try await http { () async throws(ServerHTTPError) in try await client.thread(id) }
            if options.json { return try Output.json(thread) }
            print("\(thread.subject)  [\(thread.kind)] \(thread.id)")
            if let inquiry = thread.inquiry {
                print("  Customer: \(inquiry.customerName) <\(inquiry.customerEmail)> · \(inquiry.storefront) · "
                    + "\(inquiry.product) · \(Output.longDate(inquiry.askedAt))")
                for line in inquiry.text.split(separator: "\n", omittingEmptySubsequences: false) { print("  │ \(line)") }
            }
            for message in thread.messages {
                print("\n\(message.authorName) (\(message.from)) · \(Output.longDate(message.time))")
                print(message.text)
            }
        }
    }

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start a conversation with the brand.")
        @OptionGroup var options: PartnerAPIOptions
        @OptionGroup var idempotency: IdempotencyOption
        @Option(name: .long, help: "The subject.") var subject: String
        @Argument(help: "The first message.") var text: String

        func run() async throws {
            let client = options.client, request = PartnerStartRequest(subject: subject, text: text)
            let key = idempotency.idempotencyKey
            let result = try await http { () async throws(ServerHTTPError) in
                try await client.start(request, idempotencyKey: key)
            }
            try PartnerAPICommand.report(result, json: options.json, "Conversation \(result.conversation) started.")
        }
    }

    struct Reply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reply in one of this partner's threads.")
        @OptionGroup var options: PartnerAPIOptions
        @OptionGroup var idempotency: IdempotencyOption
        @Argument(help: "The conversation id.") var id: String
        @Argument(help: "The reply.") var text: String

        func run() async throws {
            let client = options.client, id = try PartnerAPICommand.conversation(id)
            let request = PartnerReplyRequest(text: text), key = idempotency.idempotencyKey
            let result = try await http { () async throws(ServerHTTPError) in
                try await client.reply(to: id, request, idempotencyKey: key)
            }
            try PartnerAPICommand.report(result, json: options.json,
                                         "Reply \(result.message ?? "") posted in \(result.conversation).")
        }
    }

    struct Forward: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Forward a Customer Inquiry: the customer's original message and your note.")
        @OptionGroup var options: PartnerAPIOptions
        @OptionGroup var idempotency: IdempotencyOption
        @Option(name: .long, help: "The customer's name.") var customerName: String
        @Option(name: .long, help: "The customer's email.") var customerEmail: String
        @Option(name: .long, help: "The storefront the customer asked on.") var storefront: String
        @Option(name: .long, help: "The product asked about.") var product: String
        @Option(name: .long, help: "The customer's original message.") var message: String
        @Option(name: .long, help: ArgumentHelp("When the customer asked: ISO 8601 (2026-11-20T10:00:00Z) or ms since the epoch; default now.", valueName: "time"))
        var askedAt: String?
        @Argument(help: "Your note to the brand.") var note: String

        func run() async throws {
            let asked = try askedAt.map(PartnerAPICommand.time) ?? UInt64(Date().timeIntervalSince1970 * 1000)
            let request = PartnerForwardRequest(customerName: customerName, customerEmail: customerEmail,
                                                storefront: storefront, product: product, text: message,
                                                askedAt: asked, note: note)
            let client = options.client, key = idempotency.idempotencyKey
            let result = try await http { () async throws(ServerHTTPError) in
                try await client.forward(request, idempotencyKey: key)
            }
            try PartnerAPICommand.report(result, json: options.json,
                                         "Customer Inquiry \(result.conversation) forwarded.")
        }
    }

    static func report(_ result: PartnerWriteResult, json: Bool, _ line: String) throws {
        if json { return try Output.json(result) }
        print(result.duplicate ? "Already done earlier (same idempotency key): \(result.conversation)." : line)
    }

    /// A conversation id, checked.
    static func conversation(_ id: String) throws -> ConversationID {
        guard let conversation = ConversationID(text: id) else { throw ValidationError("not a conversation id: \(id)") }
        return conversation
    }

    static func time(_ text: String) throws -> UInt64 {
        if let ms = UInt64(text) { return ms }
        let formatter = ISO8601DateFormatter()
        guard let date = formatter.date(from: text) else {
            throw ValidationError("--asked-at must be ISO 8601 (2026-11-20T10:00:00Z) or ms since the epoch")
        }
        return UInt64(max(0, date.timeIntervalSince1970) * 1000)
    }
}
