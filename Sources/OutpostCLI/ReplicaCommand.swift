import ArgumentParser
import Foundation
import Replica

struct ReplicaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replica", abstract: "Inspect and check this device's replica.",
        subcommands: [VerifyCommand.self, InfoCommand.self])

    struct VerifyCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Rebuild the state from the journal alone and compare digests; run SQLite's integrity checks.",
            discussion: "Exits 0 when the rebuilt state matches and the file is sound, 1 otherwise.")

        @OptionGroup var replicaOptions: ReplicaOptions

        @Flag(name: .long, help: "JSON output.")
        var json = false

        func run() throws {
            let replica = try replicaOptions.open()
            var lastShown = 0
            let report = try cli {
                try replica.verify { done in
                    if !json && done - lastShown >= 50_000 {
                        Output.stderr("replayed \(done) ops…")
                        lastShown = done
                    }
                }
            }
            if json {
                struct Result: Encodable { let ok: Bool; let report: VerifyReport }
                try Output.json(Result(ok: report.ok, report: report))
            } else {
                print("Replayed \(report.journalOps) ops from the journal.")
                print("State digest:   stored \(report.stored.state.prefix(16))…  rebuilt \(report.rebuilt.state.prefix(16))…")
                print("Summary digest: stored \(report.stored.summary.prefix(16))…  rebuilt \(report.rebuilt.summary.prefix(16))…")
                print("Integrity:      \(report.integrity)")
            }
            guard report.ok else {
                throw CLIError(report.integrity == "ok"
                               ? "the state rebuilt from the journal differs from the stored state"
                               : "integrity check failed: \(report.integrity)", code: .digestMismatch)
            }
            if !json { print("OK: the replica matches its journal.") }
        }
    }

    struct InfoCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "info", abstract: "Identity, schema, counts and digest of the replica.")

        @OptionGroup var replicaOptions: ReplicaOptions

        @Flag(name: .long, help: "JSON output.")
        var json = false

        func run() throws {
            let replica = try replicaOptions.open()
            let info = try cli { try replica.info() }
            if json { return try Output.json(info) }
            print("Replica:        \(info.path ?? "(in memory)")")
            print("Replica id:     \(info.identity.replica)")
            print("Brand:          \(info.identity.brand)")
            print("User:           \(info.identity.viewer?.rawValue ?? "(none: server replica)")")
            print("Schema:         \(info.migrations.last ?? "-") (\(info.migrations.count) migrations)")
            print("Journal:        \(info.journalOps) ops\(info.heldOps > 0 ? ", \(info.heldOps) held" : "")")
            print("Version vector: \(info.versionVector)")
            print("Inbox:          \(info.conversations) conversations (\(info.unreadConversations) unread), "
                  + "\(info.messages) messages, \(info.partners) partners, \(info.drafts) drafts")
            if let bytes = info.fileBytes {
                print("Size:           \(ByteCountFormatter.string(fromByteCount: bytes, countStyle: .file))")
            }
            print("State digest:   \(info.digest.state)")
        }
    }
}
