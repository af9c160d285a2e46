import ArgumentParser
import Replica

struct InboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inbox",
        abstract: "List conversations, newest activity first (● marks unread, ✎ a draft).",
        discussion: "Filters and --search combine. Page with --limit and --offset.")

    @OptionGroup var replicaOptions: ReplicaOptions
    @OptionGroup var filters: InboxFilterOptions

    @Option(name: .long, help: ArgumentHelp("Keywords to look for (subjects, messages, partner names, customer text).",
                                            valueName: "text"))
    var search: String?

    func run() throws {
        let replica = try replicaOptions.open()
        let filter = try filters.filter(replica, search: search)
        let rows = try cli { try replica.inbox(filter) }
        if filters.json { return try Output.json(rows) }
        Output.inbox(rows, emptyMessage: filter.offset > 0 ? "No more conversations." : "No conversations match.")
    }
}

struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search subjects, messages, partner names and forwarded customer text.",
        discussion: "Every word must match; the last word also matches as a prefix. Filters combine with the search.")

    @OptionGroup var replicaOptions: ReplicaOptions

    @Argument(help: "What to look for.")
    var text: String

    @OptionGroup var filters: InboxFilterOptions

    func validate() throws {
        guard !text.allSatisfy(\.isWhitespace) else { throw ValidationError("the search text is empty") }
    }

    func run() throws {
        let replica = try replicaOptions.open()
        let filter = try filters.filter(replica, search: text)
        let rows = try cli { try replica.inbox(filter) }
        if filters.json { return try Output.json(rows) }
        Output.inbox(rows, emptyMessage: "Nothing matches \"\(text)\".")
    }
}
