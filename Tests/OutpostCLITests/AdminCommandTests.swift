import Foundation
import Testing

@Suite("outpost admin on a server data directory", .timeLimit(.minutes(5)))
struct AdminCommandTests {
    @Test("brand, user, partner, enroll-code and devices; errors are one line and change nothing")
    func adminFlow() async throws {
        let outpost = try Outpost()
        defer { outpost.remove() }
        let data = outpost.directory.appendingPathComponent("server").path
        func admin(_ arguments: [String]) async throws -> RunResult {
            try await outpost.run(["admin", "--data", data] + arguments, replica: false)
        }

        // Nothing is created by a command that fails on a missing directory.
        let missing = try await admin(["devices", "--brand", "northwind"])
        #expect(missing.status != 0)
        #expect(missing.errorLines.count == 1 && missing.stderr.contains("no_data"))
        #expect(!FileManager.default.fileExists(atPath: data))

        #expect(try await admin(["brand", "add", "northwind", "--name", "Northwind"]).status == 0)
        #expect(try await admin(["user", "add", "--brand", "northwind", "dana", "--name", "Dana", "--email", "d@x.io"]).status == 0)
        #expect(try await admin(["partner", "add", "--brand", "northwind", "p1", "--name", "Juniper", "--email", "j@x.io"]).status == 0)
        #expect(try await admin(["partner", "status", "--brand", "northwind", "p1", "paused"]).status == 0)
        let code = try await admin(["enroll-code", "--brand", "northwind", "--user", "dana", "--expires", "30m"])
        #expect(code.status == 0)
        #expect(code.stdout.trimmingCharacters(in: .whitespacesAndNewlines).count == 23)
        let devices = try await admin(["devices", "--brand", "northwind", "--json"])
        #expect(devices.status == 0)
        #expect(devices.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[\n\n]"
                || devices.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")

        let failures: [([String], String)] = [
            (["brand", "add", "northwind", "--name", "Again"], "brand_exists"),
            (["brand", "add", "Bad Id", "--name", "X"], "invalid_argument"),
            (["user", "add", "--brand", "nope", "sam", "--name", "Sam", "--email", "s@x.io"], "unknown_brand"),
            (["user", "add", "--brand", "northwind", "dana", "--name", "Dana", "--email", "d@x.io"], "user_exists"),
            (["user", "add", "--brand", "northwind", "sam", "--name", "Sam", "--email", "not-an-email"], "invalid_argument"),
            (["partner", "status", "--brand", "northwind", "p9", "active"], "unknown_partner"),
            (["enroll-code", "--brand", "northwind", "--user", "sam"], "unknown_user"),
            (["enroll-code", "--brand", "northwind", "--user", "dana", "--expires", "5y"], "invalid_argument"),
            (["revoke", "--brand", "northwind", "abc"], "unknown_device"),
        ]
        for (arguments, code) in failures {
            let result = try await admin(arguments)
            #expect(result.status != 0, "\(arguments)")
            #expect(result.errorLines.count == 1, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(code), "\(arguments): \(result.stderr)")
        }
    }
}
