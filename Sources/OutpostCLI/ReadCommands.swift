import ArgumentParser
import Replica

struct ReadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read", abstract: "Mark a conversation read (and clear an unread mark you have seen).")

    @OptionGroup var replicaOptions: ReplicaOptions

    @Argument(help: "The conversation id.")
    var id: String

    func run() throws {
        let conversation = try parseConversation(id)
        let replica = try replicaOptions.open()
        let changed = try cli { try replica.markRead(conversation) }
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
        let changed = try cli { try replica.markUnread(conversation) }
        print(changed ? "Marked \(conversation) unread." : "\(conversation) was already marked unread.")
    }
}
