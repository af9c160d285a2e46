import ArgumentParser
import InboxModel
import Replica

struct ReadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read", abstract: "Mark a conversation read (and clear an unread mark you have seen).",
        discussion: """
            By default the whole thread is read. With --through or --first, only the messages up to \
            that point in thread order (oldest first, as `outpost thread` lists them) are; later \
            messages stay unread.
            """)

    @OptionGroup var replicaOptions: ReplicaOptions

    @Argument(help: "The conversation id.")
    var id: String

    @Option(help: "Read up to and including this message (its id, like d1:42).")
    var through: String?

    @Option(help: "Read only the first N messages in thread order (N >= 1).")
    var first: Int?

    func validate() throws {
        if through != nil, first != nil { throw ValidationError("give --through or --first, not both") }
        if let first, first < 1 { throw ValidationError("--first must be at least 1") }
        if let through, MessageID(text: through) == nil {
            throw ValidationError("\"\(through)\" is not a message id (ids look like d1:42; see `outpost thread`)")
        }
    }

    func run() throws {
        let conversation = try parseConversation(id)
        let extent: ReadExtent
        if let through, let message = MessageID(text: through) {
            extent = .through(message)
        } else if let first {
            extent = .first(first)
        } else {
            extent = .all
        }
        let replica = try replicaOptions.open()
        let changed = try act { try replica.markRead(conversation, extent) }
        print(changed ? "Marked \(conversation) read." : "\(conversation) was already read.")
    }
}

struct UnreadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unread", abstract: "Mark a conversation unread, on all your devices.")

    @OptionGroup var replicaOptions: ReplicaOptions

    @Argument(help: "The conversation id.")
    var id: String

    func run() throws {
        let conversation = try parseConversation(id)
        let replica = try replicaOptions.open()
        let changed = try act { try replica.markUnread(conversation) }
        print(changed ? "Marked \(conversation) unread." : "\(conversation) was already marked unread.")
    }
}
