public import ArgumentParser
import Foundation
import Logging

/// `outpost`: the inbox on this device's replica, from the command line.
public struct OutpostCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "outpost",
        abstract: "Outpost: an offline-first inbox for a brand and its partners.",
        discussion: """
            Every command works on this device's replica: --replica PATH, else $OUTPOST_REPLICA, else \
            $XDG_DATA_HOME/outpost/replica.sqlite (~/.local/share/outpost/replica.sqlite).
            Start with `outpost demo` (the whole product in a browser), or `outpost demo --replica-only` and then `outpost inbox`. Logs go to stderr; set OUTPOST_LOG_LEVEL \
            (trace, debug, info, notice, warning, error) to see more or less.
            """,
        version: "0.1.0",
        subcommands: [
            InboxCommand.self, SearchCommand.self, ThreadCommand.self, ReplyCommand.self, ComposeCommand.self,
            DraftCommand.self, DraftsCommand.self, ReadCommand.self, UnreadCommand.self, PartnersCommand.self,
            PartnerCommand.self, ReplicaCommand.self, DemoCommand.self, StatusCommand.self, EnrollCommand.self, SyncCommand.self, ServerCommand.self, AdminCommand.self, UICommand.self,
            PartnerAPICommand.self, ScenarioCommand.self,
        ]
    )

    public init() {}

    /// Sends logs (swift-log) to stderr at the level in `OUTPOST_LOG_LEVEL` (default `warning`),
    /// then runs the command line (async commands such as `server` and `sync` too).
    public static func run() async {
        let level = ProcessInfo.processInfo.environment["OUTPOST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:))
            ?? .warning
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            // A command that has printed its own report exits with its status alone.
            if let code = error as? ExitCode { Foundation.exit(code.rawValue) }
            let status = exitCode(for: error)
            // --help and --version print as argument-parser does.
            if status == .success { exit(withError: error) }
            // Every failure is one line on stderr: argument-parser's usage lines are left out
            // (`outpost COMMAND --help` shows them).
            let message = message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            FileHandle.standardError.write(Data("Error: \(message)\n".utf8))
            Foundation.exit(status.rawValue)
        }
    }
}
