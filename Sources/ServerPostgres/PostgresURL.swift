import Foundation
public import PostgresNIO
public import SyncServer

/// A PostgreSQL connection string, checked where it enters:
/// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE`, with the optional
/// parameters `sslmode` (`disable`, `prefer` — the default — or `require`) and `host` (a folder
/// holding the server's unix socket, instead of TCP). Its ``description`` never shows the
/// password: that is the form every log line and error message uses.
public struct PostgresURL: Sendable, CustomStringConvertible {
    /// What postgres-nio connects with.
    public let configuration: PostgresClient.Configuration
    /// The URL with its password replaced by `***`.
    public let description: String
    /// The database's name.
    public let database: String

    /// Parses `text`; a bad URL fails with `invalid_argument`, and the message does not repeat
    /// the password.
    public init(_ text: String) throws(ServerError) {
        guard let url = URLComponents(string: text), let scheme = url.scheme,
              scheme == "postgres" || scheme == "postgresql"
        else {
            throw ServerError(.invalidArgument, "not a PostgreSQL URL (postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE)")
        }
        guard let user = url.user, !user.isEmpty else {
            throw ServerError(.invalidArgument, "the PostgreSQL URL names no user (postgres://USER@HOST/DATABASE)")
        }
        let database = String(url.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else {
            throw ServerError(.invalidArgument, "the PostgreSQL URL names no database (postgres://USER@HOST/DATABASE)")
        }
        let port = url.port ?? 5432
        guard (1...65535).contains(port) else { throw ServerError(.invalidArgument, "the PostgreSQL port must be 1 to 65535") }
        var parameters: [String: String] = [:]
        for item in url.queryItems ?? [] {
            guard let value = item.value else { continue }
            parameters[item.name] = value
        }
        let unknown = Set(parameters.keys).subtracting(["sslmode", "host"])
        guard unknown.isEmpty else {
            throw ServerError(.invalidArgument, "unknown PostgreSQL URL parameter \(unknown.sorted().joined(separator: ", ")) (known: sslmode, host)")
        }
        let password = url.password
        var configuration: PostgresClient.Configuration
        if let socketFolder = parameters["host"] {
            guard socketFolder.hasPrefix("/") else {
                throw ServerError(.invalidArgument, "the PostgreSQL URL's host parameter must be a folder's absolute path")
            }
            configuration = PostgresClient.Configuration(
                unixSocketPath: socketFolder + "/.s.PGSQL.\(port)", username: user, password: password, database: database)
        } else {
            guard let host = url.host, !host.isEmpty else {
                throw ServerError(.invalidArgument, "the PostgreSQL URL names no host")
            }
            let tls: PostgresClient.Configuration.TLS
            switch parameters["sslmode"] ?? "prefer" {
            case "disable": tls = .disable
            case "prefer": tls = .prefer(.makeClientConfiguration())
            case "require": tls = .require(.makeClientConfiguration())
            case let mode: throw ServerError(.invalidArgument, "sslmode must be disable, prefer or require, not \(mode)")
            }
            configuration = PostgresClient.Configuration(host: host, port: port, username: user, password: password,
                                                         database: database, tls: tls)
        }
        configuration.options.connectTimeout = .seconds(10)
        self.configuration = configuration
        self.database = database
        var shown = url
        if shown.password != nil { shown.password = "***" }
        self.description = shown.string ?? "postgres://\(user)@…/\(database)"
    }
}
