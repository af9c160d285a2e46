import ArgumentParser
import InboxModel
import SyncServer

extension AdminPartnerCommand {
    /// `outpost admin partner token`: a partner API token (shown once; only its hash is kept).
    struct Token: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a new partner API token for a partner (for `outpost partner-api`).",
            discussion: "The token speaks for this one partner of this one brand. It is shown once; the server keeps only its hash.")
        @OptionGroup var dataOptions: ServerDataOptions
        @Option(name: .long, help: "The brand.") var brand: String
        @Argument(help: "The partner id.") var id: String
        @Option(name: .long, help: "A name for the token, shown to admins.") var name = "partner api"

        func run() throws {
            let brand = try parseBrand(brand), partner = try parsePartnerID(id)
            let store = try dataOptions.open()
            let token = try server { () throws(ServerError) in
                try store.makePartnerToken(brand: brand, partner: partner, name: name)
            }
            Output.stderr("Partner API token for \(partner) of \(brand) (shown once):")
            print(token)
        }
    }

    /// `outpost admin partner revoke-tokens`: every token of a partner stops working at once.
    struct RevokeTokens: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "revoke-tokens", abstract: "Revoke every partner API token of a partner.")
        @OptionGroup var dataOptions: ServerDataOptions
        @Option(name: .long, help: "The brand.") var brand: String
        @Argument(help: "The partner id.") var id: String

        func run() throws {
            let brand = try parseBrand(brand), partner = try parsePartnerID(id)
            let store = try dataOptions.open()
            let count = try server { () throws(ServerError) in try store.revokePartnerTokens(brand: brand, partner: partner) }
            print("Revoked \(count) token\(count == 1 ? "" : "s") of \(partner).")
        }
    }
}
