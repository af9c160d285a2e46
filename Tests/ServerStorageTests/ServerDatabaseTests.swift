import Foundation
import PostgresNIO
import ServerPostgres
import SyncServer
import Testing

@Suite("PostgreSQL database")
struct PostgresDatabaseTests {
    @Test("an unreachable database is a storage_error, without the password")
    func unreachable() async throws {
        // A loopback port nobody listens on: bound, then closed.
        let port = try freePort()
        let url = try PostgresURL("postgres://outpost:pw-secret@127.0.0.1:\(port)/inbox?sslmode=disable")
        let started = ContinuousClock.now
        do {
            _ = try await ServerDatabase.open(url)
            Issue.record("opened a database that is not there")
        } catch {
            #expect(error.code == .storageError)
            #expect(!error.message.contains("pw-secret"), "\(error.message)")
        }
        #expect(ContinuousClock.now - started < .seconds(30), "it gives up after its deadline (10 s) rather than waiting for ever")
    }

    @Test("nodes starting together migrate once; a schema from a newer Outpost is refused",
          .enabled(if: StoreKind.all.contains(.postgres)))
    func migrations() async throws {
        try await TestPostgres.withDatabase { text in
            let url = try PostgresURL(text)
            // Four nodes start at once on an empty database.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask { try await ServerDatabase.open(url).close() }
                }
                try await group.waitForAll()
            }
            try await TestPostgres.admin(text) { connection in
                let rows = try await connection.query("SELECT count(*) FROM schema_migrations", logger: TestPostgres.logger)
                for try await count in rows.decode(Int64.self) { #expect(count >= 1) }
                let servers = try await connection.query("SELECT count(*) FROM meta WHERE key = 'server_replica'",
                                                         logger: TestPostgres.logger)
                for try await count in servers.decode(Int64.self) { #expect(count == 1) }
                try await connection.query("INSERT INTO schema_migrations (version) VALUES ('v999-future')",
                                           logger: TestPostgres.logger)
            }
            do throws(ServerError) {
                _ = try await ServerDatabase.open(url)
                Issue.record("opened a database migrated by a newer Outpost")
            } catch {
                #expect(error.code == .storageError && error.message.contains("v999-future"), "\(error)")
            }
        }
    }

    private func freePort() throws -> Int {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        try withUnsafeMutablePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                guard bind(socket, raw, length) == 0, getsockname(socket, raw, &length) == 0 else {
                    throw POSIXError(.EADDRINUSE)
                }
            }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
