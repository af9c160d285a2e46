import Causality
public import DemoHistory
import Foundation
import GRDB
import InboxModel
import Replica

extension ServerStore {
    /// Creates the demo brand — Northwind Outfitters, its users Dana and Sam, partners in every
    /// status — with `options.messages` messages of history (``DemoGenerator``), for trying the
    /// product and for benchmarks of first syncs. The history's devices are recorded as retired
    /// devices, so enrolled devices never reuse their replica ids. Fails with `brand_exists`.
    public func seedDemo(options: DemoOptions, progress: (Int, Int) -> Void = { _, _ in }) throws(ServerError) {
        let brand = DemoWorld.brand.id
        let exists = try seedWrap {
            try pool.read { db in
                try Bool.fetchOne(db, sql: "SELECT 1 FROM brands WHERE id = ?", arguments: [brand.rawValue]) ?? false
            }
        }
        let file = path(of: brand)
        guard !exists, !FileManager.default.fileExists(atPath: file) else {
            throw ServerError(.brandExists, "brand \(brand) already exists")
        }
        guard serverReplica == DemoWorld.server else {
            throw ServerError(.invalidArgument,
                              "the demo history speaks as server replica \(DemoWorld.server); this server is \(serverReplica)")
        }
        let replica: Replica
        do {
            replica = try Replica.create(at: file, identity: ReplicaIdentity(replica: serverReplica, brand: brand,
                                                                             viewer: nil), clock: clock)
            var generator = DemoGenerator(options)
            let total = generator.totalOps
            var done = 0
            while let batch = generator.nextBatch(max: 5_000) {
                try replica.apply(batch)
                done += batch.count
                progress(done, total)
            }
        } catch {
            try? FileManager.default.removeItem(atPath: file)
            throw ServerError(.storageError, "cannot build the demo brand: \(error)")
        }
        let now = Int64(clamping: clock.nowMilliseconds())
        try seedWrap {
            try pool.write { db in
                try db.execute(sql: "INSERT INTO brands (id, name, created) VALUES (?, ?, ?)",
                               arguments: [brand.rawValue, DemoWorld.brand.name, now])
                for user in [DemoWorld.viewer, DemoWorld.colleague] {
                    try db.execute(sql: "INSERT INTO users (brand, id, name, email) VALUES (?, ?, ?, ?)",
                                   arguments: [brand.rawValue, user.id.rawValue, user.name, user.email])
                }
                let history: [(ReplicaID, User, String)] = [
                    (DemoWorld.laptop, DemoWorld.viewer, "demo history: Dana's laptop"),
                    (DemoWorld.tablet, DemoWorld.viewer, "demo history: Dana's tablet"),
                    (DemoWorld.colleagueDevice, DemoWorld.colleague, "demo history: Sam's laptop"),
                ]
                for (id, user, name) in history {
                    // Retired at once: no token works for them (the hash is of random bytes).
                    try db.execute(sql: """
                        INSERT INTO devices (replica, brand, user, name, created, revoked, token_hash)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """, arguments: [Int64(clamping: id.rawValue), brand.rawValue, user.id.rawValue, name, now, now,
                                         Secrets.hash(Secrets.newToken())])
                }
            }
        }
        replicas.withLock { $0[brand] = replica }
    }

    private func seedWrap<T>(_ body: () throws -> T) throws(ServerError) -> T {
        do {
            return try body()
        } catch let error as ServerError {
            throw error
        } catch {
            throw ServerError(.storageError, "\(error)")
        }
    }
}
