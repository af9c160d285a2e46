import ArgumentParser
import Causality
import Foundation
import InboxModel
import Logging
import Replica
import ServerPostgres
import SyncServer

/// `outpost admin`: brands, users, partners, enrollment codes and devices of a server's data
/// directory. Works directly on the files, also while `outpost server` runs.
struct AdminCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin",
        abstract: "Manage a server's brands, users, partners, devices and API tokens (Protocol/SERVER_API.md).",
        discussion: "Works directly on the server's data directory, also while `outpost server` runs.",
        subcommands: [AdminBrandCommand.self, AdminUserCommand.self, AdminPartnerCommand.self,
                      AdminEnrollCodeCommand.self, AdminDevicesCommand.self, AdminRevokeCommand.self,
                      AdminEventCommand.self, AdminDeliverCommand.self, AdminTokenCommand.self, AdminDemoCommand.self]
    )

    /// Lets `--data` come before the subcommand too (`outpost admin --data DIR brand add …`).
    @OptionGroup var dataOptions: ServerDataOptions
}

/// `--data DIR`: the server's data directory; `--postgres URL` (or `OUTPOST_DATABASE_URL`): the
/// PostgreSQL database that several server nodes share, which then holds the directory and the
/// brand logs, `--data` only this process's replicas of the brands.
struct ServerDataOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The server's data directory (with --postgres: this node's replicas of the brands).",
                                            valueName: "dir"))
    var data = "./outpost-data"

    @Option(name: .long, help: ArgumentHelp(
        "Keep the server's data in this PostgreSQL database, shared by every node (postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require]); default: OUTPOST_DATABASE_URL, else the embedded store in --data.",
        valueName: "url"))
    var postgres: String?

    /// The database URL: `--postgres`, else `OUTPOST_DATABASE_URL`, else none (embedded).
    var databaseURL: String? {
        postgres ?? ProcessInfo.processInfo.environment["OUTPOST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Opens the data directory; only `create` makes a new one (`brand add`, `server`). With a
    /// database, connects and migrates it first, blocking this (main) thread until it answers.
    func open(create: Bool = false) throws(CLIError) -> ServerStore {
        guard let url = databaseURL else {
            return try server { () throws(ServerError) in
                try ServerStore.open(directory: data, create: create, clock: SystemClock.process)
            }
        }
        let shared: SharedStorage
        do {
            shared = try BlockingReply.run { try await Self.connect(url) }
        } catch {
            let failure = (error as? ServerError) ?? ServerError(.storageError, "\(error)")
            throw CLIError(failure.message, code: failure.code.rawValue)
        }
        return try server { () throws(ServerError) in
            try ServerStore.open(directory: data, create: true, clock: SystemClock.process, shared: shared)
        }
    }

    /// ``open(create:)`` from async code (`outpost server`), which must not block.
    func openShared() async throws(CLIError) -> ServerStore {
        guard let url = databaseURL else { return try open(create: true) }
        let shared: SharedStorage
        do {
            shared = try await Self.connect(url)
        } catch {
            throw CLIError(error.message, code: error.code.rawValue)
        }
        return try server { () throws(ServerError) in
            try ServerStore.open(directory: data, create: true, clock: SystemClock.process, shared: shared)
        }
    }

    private static func connect(_ text: String) async throws(ServerError) -> SharedStorage {
        let url = try PostgresURL(text)
        let database = try await ServerDatabase.open(url, logger: Logger(label: "outpost.postgres"))
        return try await SharedStorage.postgres(database, clock: SystemClock.process)
    }
}

/// Runs `body`, turning server errors into one-line CLI errors.
func server<T>(_ body: () throws(ServerError) -> T) throws(CLIError) -> T {
    do {
        return try body()
    } catch {
        throw CLIError(error.message, code: error.code.rawValue)
    }
}

func parseBrand(_ text: String) throws(CLIError) -> BrandID {
    guard let id = BrandID(rawValue: text) else { throw CLIError("\"\(text)\" is not a brand id (a-z, 0-9, -, _, .)") }
    return id
}

func parseUser(_ text: String) throws(CLIError) -> UserID {
    guard let id = UserID(rawValue: text) else { throw CLIError("\"\(text)\" is not a user id (a-z, 0-9, -, _, .)") }
    return id
}

func parsePartnerID(_ text: String) throws(CLIError) -> PartnerID {
    guard let id = PartnerID(rawValue: text) else { throw CLIError("\"\(text)\" is not a partner id (a-z, 0-9, -, _, .)") }
    return id
}

struct AdminBrandCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "brand", abstract: "Brands.",
                                                    subcommands: [Add.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a brand and its replica.")
        @OptionGroup var dataOptions: ServerDataOptions
        @Argument(help: "The brand id.") var id: String
        @Option(name: .long, help: "The brand's display name.") var name: String

        func run() throws {
            let brand = try parseBrand(id)
            let store = try dataOptions.open(create: true)
            try server { () throws(ServerError) in try store.addBrand(brand, name: name) }
            print("Brand \(brand) created.")
        }
    }
}

struct AdminUserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "user", abstract: "Users of a brand.",
                                                    subcommands: [Add.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a user to a brand.")
        @OptionGroup var dataOptions: ServerDataOptions
        @Option(name: .long, help: "The brand.") var brand: String
        @Argument(help: "The user id.") var id: String
        @Option(name: .long, help: "Display name.") var name: String
        @Option(name: .long, help: "Email address.") var email: String

        func run() throws {
            let brand = try parseBrand(brand), user = try parseUser(id)
            let store = try dataOptions.open()
            try server { () throws(ServerError) in try store.addUser(brand: brand, id: user, name: name, email: email) }
            print("User \(user) added to \(brand).")
        }
    }
}

struct AdminPartnerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "partner", abstract: "Partners of a brand.",
                                                    subcommands: [Add.self, Status.self, Token.self, RevokeTokens.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a partner to a brand.")
        @OptionGroup var dataOptions: ServerDataOptions
        @Option(name: .long, help: "The brand.") var brand: String
        @Argument(help: "The partner id.") var id: String
        @Option(name: .long, help: "Display name.") var name: String
        @Option(name: .long, help: "Contact email.") var email: String
        @Option(name: .long, help: "pending, active, paused or ended.") var status: PartnershipStatus = .active

        func run() throws {
            let brand = try parseBrand(brand), partner = try parsePartnerID(id)
            let store = try dataOptions.open()
            try server { () throws(ServerError) in
                try store.addPartner(brand: brand, id: partner, name: name, email: email, status: status)
            }
            print("Partner \(partner) added to \(brand) (\(status.rawValue)).")
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a partnership's status.")
        @OptionGroup var dataOptions: ServerDataOptions
        @Option(name: .long, help: "The brand.") var brand: String
        @Argument(help: "The partner id.") var id: String
        @Argument(help: "pending, active, paused or ended.") var status: PartnershipStatus

        func run() throws {
            let brand = try parseBrand(brand), partner = try parsePartnerID(id)
            let store = try dataOptions.open()
            try server { () throws(ServerError) in try store.setPartnerStatus(brand: brand, id: partner, status: status) }
            print("Partner \(partner) is now \(status.rawValue).")
        }
    }
}

struct AdminEnrollCodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enroll-code",
        abstract: "Print a one-time enrollment code for a user's new device.",
        discussion: "The device runs `outpost enroll --server URL CODE`. The code works once.")
    @OptionGroup var dataOptions: ServerDataOptions
    @Option(name: .long, help: "The brand.") var brand: String
    @Option(name: .long, help: "The user whose device enrolls.") var user: String
    @Option(name: .long, help: ArgumentHelp("How long the code is valid: a number with m, h or d.", valueName: "duration"))
    var expires = "24h"

    func run() throws {
        let brand = try parseBrand(brand), user = try parseUser(user)
        let validity = try Self.parseDuration(expires)
        let store = try dataOptions.open()
        print(try server { () throws(ServerError) in
            try store.makeEnrollmentCode(brand: brand, user: user, validForMs: validity)
        })
    }

    /// `30m`, `24h`, `7d` in milliseconds.
    static func parseDuration(_ text: String) throws(CLIError) -> UInt64 {
        let units: [Character: UInt64] = ["m": 60_000, "h": 3_600_000, "d": 86_400_000]
        guard let unit = text.last.flatMap({ units[$0] }), let count = UInt64(text.dropLast()), count > 0,
              count <= 365 * 86_400_000 / unit
        else { throw CLIError("\"\(text)\" is not a duration like 30m, 24h or 7d (at most a year)") }
        return count * unit
    }
}

struct AdminDevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "devices", abstract: "List a brand's devices.")
    @OptionGroup var dataOptions: ServerDataOptions
    @Option(name: .long, help: "The brand.") var brand: String
    @Flag(name: .long, help: "JSON output.") var json = false

    func run() throws {
        let brand = try parseBrand(brand)
        let store = try dataOptions.open()
        let devices = try server { () throws(ServerError) in try store.devices(brand: brand) }
        if json { return try Output.json(devices) }
        guard !devices.isEmpty else { return print("No devices.") }
        Output.table(devices.map { device in
            [device.replica.description, device.user.rawValue, Output.longDate(device.created),
             device.revoked.map { "revoked " + Output.longDate($0) } ?? "active", device.name]
        }, header: ["REPLICA", "USER", "ENROLLED", "STATE", "NAME"])
    }
}

struct AdminRevokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke", abstract: "Revoke a device: its token stops working at once.")
    @OptionGroup var dataOptions: ServerDataOptions
    @Option(name: .long, help: "The brand.") var brand: String
    @Argument(help: "The device's replica id (see `outpost admin devices`).") var replica: String

    func run() throws {
        let brand = try parseBrand(brand)
        guard let id = ReplicaID(text: replica) else { throw CLIError("\"\(replica)\" is not a replica id (hex)") }
        let store = try dataOptions.open()
        try server { () throws(ServerError) in try store.revoke(brand: brand, replica: id) }
        print("Device \(id) revoked.")
    }
}
