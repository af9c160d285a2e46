import Causality
import Foundation
import InboxModel
import Replica
import ServerAPI
import SyncClient
import Testing

/// The enrolled device's replica holds its token: the file and SQLite's `-wal` and `-shm` beside it
/// are private (mode 0600), where SQLite alone would make them 0644 under the usual umask.
@Suite struct EnrollmentClientTests {
    static let enrollment = Enrollment(replica: ReplicaID(0xd7), token: "secret-token",
                                       brand: BrandID(rawValue: "northwind")!, user: UserID(rawValue: "dana")!,
                                       serverReplica: ReplicaID(0x1))

    @Test("the replica, its -wal and its -shm are created with mode 0600, and hold the token")
    func privateFromCreation() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("enroll-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/device.sqlite"
        let replica = try EnrollmentClient.createReplica(at: path, enrollment: Self.enrollment,
                                                         server: "http://127.0.0.1:8750")
        #expect(try replica.syncState().token == "secret-token")
        for suffix in ["", "-wal", "-shm"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: path + suffix)
            let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue
            #expect(mode == 0o600, "\(suffix.isEmpty ? "the replica" : suffix): \(String(mode ?? -1, radix: 8))")
        }
    }

    @Test("an existing file is never taken over")
    func existingFileRefused() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("enroll-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/device.sqlite"
        #expect(FileManager.default.createFile(atPath: path, contents: Data("not mine".utf8)))
        let error = #expect(throws: ReplicaError.self) {
            try EnrollmentClient.createReplica(at: path, enrollment: Self.enrollment, server: "http://127.0.0.1:8750")
        }
        #expect(error?.code == .alreadyExists)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "not mine")
    }
}
