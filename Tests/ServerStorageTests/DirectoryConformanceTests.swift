import Causality
import InboxModel
import ServerAPI
import SyncServer
import Testing

/// What every ``ServerDirectory`` does, run against each store (``StoreKind``).
@Suite("Directory conformance")
struct DirectoryConformanceTests {
    let acme = BrandID(rawValue: "acme")!
    let dana = UserID(rawValue: "dana")!

    /// A directory with brand `acme` and its user `dana`.
    func withAcme<T>(_ kind: StoreKind, _ body: (any ServerDirectory) async throws -> T) async throws -> T {
        try await withDirectory(kind) { directory in
            try await directory.insertBrand(acme, name: "Acme")
            try await directory.insertUser(brand: acme, id: dana, name: "Dana", email: "dana@acme.example")
            return try await body(directory)
        }
    }

    @Test("brands: recorded once, listed sorted, bad names refused", arguments: StoreKind.all)
    func brands(kind: StoreKind) async throws {
        try await withDirectory(kind) { directory in
            #expect(try await directory.brands() == [])
            try await directory.insertBrand(BrandID(rawValue: "zeta")!, name: "Zeta")
            try await directory.insertBrand(acme, name: "Acme")
            #expect(try await directory.brands() == [acme, BrandID(rawValue: "zeta")!])
            #expect(try await directory.hasBrand(acme))
            #expect(try await !directory.hasBrand(BrandID(rawValue: "other")!))
            await expect(code: .brandExists) { try await directory.insertBrand(acme, name: "Acme again") }
            let other = BrandID(rawValue: "other")!
            await expect(code: .invalidArgument) { try await directory.insertBrand(other, name: "  ") }
            await expect(code: .invalidArgument) { try await directory.insertBrand(other, name: "a\u{0}b") }
            #expect(try await directory.brands().count == 2)
        }
    }

    @Test("users: only in a brand, once, with a real address", arguments: StoreKind.all)
    func users(kind: StoreKind) async throws {
        try await withAcme(kind) { directory in
            let found = try await directory.user(brand: acme, id: dana)
            #expect(found == User(id: dana, name: "Dana", email: "dana@acme.example"))
            let sam = UserID(rawValue: "sam")!
            let missing = try await directory.user(brand: acme, id: sam)
            #expect(missing == nil)
            await expect(code: .userExists) {
                try await directory.insertUser(brand: acme, id: dana, name: "Dana 2", email: "d2@acme.example")
            }
            await expect(code: .unknownBrand) {
                try await directory.insertUser(brand: BrandID(rawValue: "none")!, id: dana, name: "Dana", email: "d@x.example")
            }
            await expect(code: .invalidArgument) {
                try await directory.insertUser(brand: acme, id: sam, name: "Sam", email: "not an address")
            }
            let refused = try await directory.user(brand: acme, id: sam)
            let kept = try await directory.user(brand: acme, id: dana)
            #expect(refused == nil && kept?.name == "Dana")
        }
    }

    @Test("enrollment: a code enrolls one device once, then its token is the device", arguments: StoreKind.all)
    func enrollment(kind: StoreKind) async throws {
        try await withAcme(kind) { directory in
            await expect(code: .unknownUser) {
                _ = try await directory.makeEnrollmentCode(brand: acme, user: UserID(rawValue: "nobody")!, validForMs: 60_000)
            }
            await expect(code: .unknownBrand) {
                _ = try await directory.makeEnrollmentCode(brand: BrandID(rawValue: "none")!, user: dana, validForMs: 60_000)
            }
            let code = try await directory.makeEnrollmentCode(brand: acme, user: dana, validForMs: 60_000)
            // A bad device name is refused and does not use the code up.
            await expect(code: .badRequest) { _ = try await directory.enroll(code: code, deviceName: "   ") }
            // Case, spaces and dashes do not matter.
            let typed = code.uppercased().replacingOccurrences(of: "-", with: " ")
            let enrollment = try await directory.enroll(code: typed, deviceName: "  Dana's phone ")
            #expect(enrollment.brand == acme && enrollment.user == dana)
            #expect(enrollment.serverReplica == directory.serverReplica)
            #expect(enrollment.replica != directory.serverReplica && enrollment.replica.rawValue >= 2)
            await expect(code: .codeInvalid) { _ = try await directory.enroll(code: code, deviceName: "again") }
            await expect(code: .codeInvalid) { _ = try await directory.enroll(code: "aaaaa-bbbbb-ccccc-ddddd", deviceName: "x") }

            let device = try #require(try await directory.device(forToken: enrollment.token))
            #expect(device.replica == enrollment.replica && device.name == "Dana's phone" && device.revoked == nil)
            #expect(try await directory.device(enrollment.replica) == device)
            #expect(try await directory.device(forToken: enrollment.token + "x") == nil)
            #expect(try await directory.device(ReplicaID(9_999)) == nil)
        }
    }

    @Test("an expired code enrolls nothing", arguments: StoreKind.all)
    func expiredCode(kind: StoreKind) async throws {
        try await withAcme(kind) { directory in
            let code = try await directory.makeEnrollmentCode(brand: acme, user: dana, validForMs: 0)
            await expect(code: .codeInvalid) { _ = try await directory.enroll(code: code, deviceName: "late") }
            #expect(try await directory.devices(brand: acme).isEmpty)
        }
    }

    @Test("one code used by eight callers at once enrolls one device", arguments: StoreKind.all)
    func concurrentEnrollment(kind: StoreKind) async throws {
        try await withAcme(kind) { directory in
            let code = try await directory.makeEnrollmentCode(brand: acme, user: dana, validForMs: 60_000)
            let outcomes = await withTaskGroup(of: Result<Enrollment, ServerError>.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        do throws(ServerError) { return .success(try await directory.enroll(code: code, deviceName: "d\(index)")) }
                        catch { return .failure(error) }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            let enrolled = outcomes.compactMap { try? $0.get() }
            #expect(enrolled.count == 1)
            #expect(outcomes.allSatisfy { outcome in
                if case .failure(let error) = outcome { return error.code == .codeInvalid }
                return true
            })
            #expect(try await directory.devices(brand: acme).map(\.replica) == enrolled.map(\.replica))
        }
    }

    @Test("device ids are small, distinct, never the server's", arguments: StoreKind.all)
    func deviceIDs(kind: StoreKind) async throws {
        try await withAcme(kind) { directory in
            var ids: [ReplicaID] = []
            for index in 0..<5 {
                let code = try await directory.makeEnrollmentCode(brand: acme, user: dana, validForMs: 60_000)
                ids.append(try await directory.enroll(code: code, deviceName: "device \(index)").replica)
            }
            #expect(Set(ids).count == 5)
            #expect(!ids.contains(directory.serverReplica))
            #expect(ids.allSatisfy { $0.rawValue < 128 }, "one-byte varints: \(ids)")
            #expect(try await directory.devices(brand: acme).map(\.replica) == ids, "oldest first")
        }
    }

    @Test("revocation: the token stops working at once; revoking twice keeps the first time", arguments: StoreKind.all)
    func revocation(kind: StoreKind) async throws {
        try await withAcme(kind) { directory in
            let first = try await directory.enroll(
                code: try await directory.makeEnrollmentCode(brand: acme, user: dana, validForMs: 60_000), deviceName: "a")
            let second = try await directory.enroll(
                code: try await directory.makeEnrollmentCode(brand: acme, user: dana, validForMs: 60_000), deviceName: "b")
            await expect(code: .unknownDevice) { try await directory.revoke(brand: acme, replica: ReplicaID(9_999)) }
            await expect(code: .unknownBrand) { try await directory.revoke(brand: BrandID(rawValue: "none")!, replica: first.replica) }
            #expect(try await directory.revoked(among: [first.replica, second.replica]) == [])

            try await directory.revoke(brand: acme, replica: first.replica)
            #expect(try await directory.device(forToken: first.token) == nil)
            #expect(try await directory.device(forToken: second.token)?.replica == second.replica)
            #expect(try await directory.revoked(among: [first.replica, second.replica, ReplicaID(9_999)]) == [first.replica])
            let revokedAt = try #require(try await directory.device(first.replica)?.revoked)
            try await Task.sleep(for: .milliseconds(5))
            try await directory.revoke(brand: acme, replica: first.replica)
            #expect(try await directory.device(first.replica)?.revoked == revokedAt)
            #expect(try await directory.revoked(among: []) == [])
        }
    }

    @Test("devices of an unknown brand: unknown_brand", arguments: StoreKind.all)
    func unknownBrand(kind: StoreKind) async throws {
        try await withDirectory(kind) { directory in
            await expect(code: .unknownBrand) { _ = try await directory.devices(brand: BrandID(rawValue: "none")!) }
        }
    }
}

/// Expects `body` to fail with a ``ServerError`` of `code`.
func expect(code: ServerError.Code, sourceLocation: SourceLocation = #_sourceLocation,
            _ body: () async throws -> Void) async {
    do {
        try await body()
        Issue.record("expected \(code), but it succeeded", sourceLocation: sourceLocation)
    } catch let error as ServerError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected \(code), got \(error)", sourceLocation: sourceLocation)
    }
}
