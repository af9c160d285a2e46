import ArgumentParser
import Replica

struct ReplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reply",
        abstract: "Reply in a conversation. Sends (and clears) your draft there.",
        discussion: "The reply waits on this device (pending) until the next sync takes it to the server.")

    @OptionGroup var replicaOptions: ReplicaOptions

    @Argument(help: "The conversation id.")
    var id: String

    @Argument(help: "The message, \(standardInputHelp).")
    var text: String

    @Flag(name: .long, help: "JSON output: the new message's id.")
    var json = false

    func run() throws {
        let conversation = try parseConversation(id)
        let body = try readText(text)
        let replica = try replicaOptions.open()
        let message = try act { try replica.reply(to: conversation, text: body) }
        if json { return try Output.json(["conversation": conversation.description, "message": message.description]) }
        print("Replied in \(conversation) (message \(message), pending until the next sync).")
    }
}

struct ComposeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compose",
        abstract: "Start a new conversation with a partner.",
        discussion: "With --draft, saves a draft for the new message instead of sending it (see `outpost drafts`).")

    @OptionGroup var replicaOptions: ReplicaOptions

    @Option(name: .long, help: ArgumentHelp("Who to write to (partner id or name).", valueName: "partner"))
    var partner: String

    @Option(name: .long, help: "The subject.")
    var subject: String

    @Argument(help: "The message, \(standardInputHelp).")
    var text: String

    @Flag(name: .long, help: "Save as a draft instead of sending.")
    var draft = false

    @Flag(name: .long, help: "JSON output: the new conversation's (or draft's) id.")
    var json = false

    func validate() throws {
        guard !subject.allSatisfy(\.isWhitespace) else { throw ValidationError("the subject is empty") }
    }

    func run() throws {
        let body = try readText(text)
        let replica = try replicaOptions.open()
        let partnerID = try cli { try replica.resolvePartner(partner) }
        if draft {
            let key = try act { try replica.startComposeDraft(to: partnerID, subject: subject, text: body) }
            if json { return try Output.json(["draft": key.description]) }
            print("Saved draft \(key). Send it with `outpost draft \(key) --send`.")
        } else {
            let id = try act { try replica.compose(to: partnerID, subject: subject, text: body) }
            if json { return try Output.json(["conversation": id.description]) }
            print("Started conversation \(id) with \(partnerID) (pending until the next sync).")
        }
    }
}
