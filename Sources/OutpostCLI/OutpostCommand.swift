public import ArgumentParser

/// `outpost`: the inbox on this device's replica, from the command line.
public struct OutpostCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "outpost",
        abstract: "Outpost: an offline-first inbox for a brand and its partners.",
        discussion: """
            Every command works on this device's replica: --replica PATH, else $OUTPOST_REPLICA, else \
            $XDG_DATA_HOME/outpost/replica.sqlite (~/.local/share/outpost/replica.sqlite).
            Start with `outpost demo`, then `outpost inbox`.
            """,
        version: "0.1.0",
        subcommands: [
            InboxCommand.self, SearchCommand.self, ThreadCommand.self, ReplyCommand.self, ComposeCommand.self,
            DraftCommand.self, DraftsCommand.self, ReadCommand.self, UnreadCommand.self, PartnersCommand.self,
            PartnerCommand.self, ReplicaCommand.self, DemoCommand.self,
        ]
    )

    public init() {}
}
