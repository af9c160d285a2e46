import ArgumentParser
import Foundation
import SyncServer

/// `outpost admin token`: admin API tokens, for `POST /v1/admin/events` (Protocol/SERVER_API.md,
/// "Platform events"): make one for a brand (or, on purpose, for every brand), list them, revoke
/// one.
struct AdminTokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Admin API tokens (for POST /v1/admin/events): create, list, revoke.",
        discussion: "`outpost admin token --brand B` is `outpost admin token create --brand B`.",
        subcommands: [Create.self, List.self, Revoke.self],
        defaultSubcommand: Create.self)

    /// `outpost admin token create`.
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a new admin API token for one brand, or with --all-brands for every brand.",
            discussion: "Shown once; the server keeps only its hash. A brand's token can post events for that "
                + "brand only (others get 403 forbidden); --all-brands makes a server-wide token on purpose.")
        @OptionGroup var dataOptions: ServerDataOptions
        @Option(name: .long, help: "The brand the token may act for.") var brand: String?
        @Flag(name: .long, help: "A server-wide token that reaches every brand.") var allBrands = false
        @Option(name: .long, help: "A name for the token, shown to admins.") var name = "admin api"

        func validate() throws {
            guard (brand != nil) != allBrands else {
                throw ValidationError("give either --brand BRAND or --all-brands")
            }
        }

        func run() throws {
            let store = try dataOptions.open()
            let scope = try brand.map(parseBrand)
            let token = try server { () throws(ServerError) in try store.makeAdminToken(name: name, brand: scope) }
            Output.stderr("Admin API token for \(scope.map { "brand \($0)" } ?? "every brand") (shown once):")
            print(token)
        }
    }

    /// `outpost admin token list`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List admin tokens: id, name, brand (* for every brand), created, revoked.")
        @OptionGroup var dataOptions: ServerDataOptions
        @Flag(name: .long, help: "JSON output.") var json = false

        func run() throws {
            let store = try dataOptions.open()
            let tokens = try server { () throws(ServerError) in try store.adminTokens() }
            if json { return try Output.json(tokens) }
            guard !tokens.isEmpty else { return print("No admin tokens.") }
            for token in tokens {
                let state = token.revoked.map { "revoked \(Output.longDate($0))" } ?? "live"
                print("\(token.id)  \(token.brand ?? "*")  \(token.name)  created \(Output.longDate(token.created))  \(state)")
            }
        }
    }

    /// `outpost admin token revoke`.
    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke an admin token by its id (from `outpost admin token list`); it stops working at once.")
        @OptionGroup var dataOptions: ServerDataOptions
        @Argument(help: "The token's id, or a unique prefix of it (8 characters or more).") var id: String

        func run() throws {
            let store = try dataOptions.open()
            let record = try server { () throws(ServerError) in try store.revokeAdminToken(id: id) }
            print("Revoked admin token \(record.id) (\(record.name)).")
        }
    }
}
