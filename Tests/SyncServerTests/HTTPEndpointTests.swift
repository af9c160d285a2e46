import Foundation
import Hummingbird
import HummingbirdTesting
import InboxModel
import NIOCore
import ServerAPI
import SyncClient
import Testing
@testable import SyncServer

@Suite("HTTP endpoints (in-process router)")
struct HTTPEndpointTests {
    static func body(_ json: String) -> ByteBuffer { ByteBuffer(string: json) }

    static func errorCode(_ response: TestResponse) -> String? {
        let object = try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
        return (object?["error"] as? [String: Any])?["code"] as? String
    }

    @Test("healthz answers ok")
    func healthz() async throws {
        let world = try TestWorld()
        defer { world.cleanUp() }
        try await world.app.test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == #"{"status":"ok"}"#)
            }
        }
    }

    @Test("an enrollment code works once; unknown and expired codes are refused")
    func enrollOnce() async throws {
        let world = try TestWorld()
        defer { world.cleanUp() }
        let code = try world.store.makeEnrollmentCode(brand: TestWorld.northwind, user: TestWorld.dana, validForMs: 60_000)
        let expired = try world.store.makeEnrollmentCode(brand: TestWorld.northwind, user: TestWorld.dana, validForMs: 0)
        try await world.app.test(.router) { client in
            let request = #"{"code":"\#(code.uppercased())","deviceName":"Dana's laptop"}"#
            try await client.execute(uri: "/v1/enroll", method: .post, body: Self.body(request)) { response in
                #expect(response.status == .ok)
                let enrollment = try JSONDecoder().decode(Enrollment.self, from: Data(response.body.readableBytesView))
                #expect(enrollment.brand == TestWorld.northwind)
                #expect(enrollment.user == TestWorld.dana)
                #expect(enrollment.serverReplica == world.store.serverReplica)
                #expect(enrollment.token.count == 43)
                #expect(try world.store.device(forToken: enrollment.token)?.replica == enrollment.replica)
            }
            try await client.execute(uri: "/v1/enroll", method: .post, body: Self.body(request)) { response in
                #expect(response.status == .forbidden)
                #expect(Self.errorCode(response) == "code_invalid")
            }
            for bad in ["nope-nope-nope", expired] {
                let body = #"{"code":"\#(bad)","deviceName":"x"}"#
                try await client.execute(uri: "/v1/enroll", method: .post, body: Self.body(body)) { response in
                    #expect(response.status == .forbidden)
                    #expect(Self.errorCode(response) == "code_invalid")
                }
            }
            try await client.execute(uri: "/v1/enroll", method: .post, body: Self.body("{")) { response in
                #expect(response.status == .badRequest)
                #expect(Self.errorCode(response) == "bad_request")
            }
            try await client.execute(uri: "/nowhere", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(Self.errorCode(response) == "not_found")
            }
        }
        #expect(try world.store.devices(brand: TestWorld.northwind).count == 1)
    }

    @Test("sync without a token, with a wrong one, or with a revoked one is 401")
    func unauthorized() async throws {
        let world = try TestWorld()
        defer { world.cleanUp() }
        let (enrollment, _) = try world.enroll(TestWorld.dana)
        try world.store.revoke(brand: TestWorld.northwind, replica: enrollment.replica)
        try await world.app.test(.router) { client in
            for header in [nil, "Bearer wrong", "Bearer \(enrollment.token)", "Basic abc"] {
                var headers = HTTPFields()
                if let header { headers[.authorization] = header }
                try await client.execute(uri: "/v1/sync", method: .get, headers: headers) { response in
                    #expect(response.status == .unauthorized)
                    #expect(Self.errorCode(response) == "unauthorized")
                }
            }
        }
    }

    @Test("metrics are Prometheus text with the documented names")
    func metrics() async throws {
        let world = try TestWorld()
        defer { world.cleanUp() }
        try await world.app.test(.router) { client in
            try await client.execute(uri: "/v1/sync", method: .get) { _ in }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                let text = String(buffer: response.body)
                for name in ["outpost_syncs_total 0", "outpost_ops_in_total", "outpost_ops_out_total",
                             "outpost_bytes_in_total", "outpost_bytes_out_total",
                             #"outpost_errors_total{code="unauthorized",direction="sent"} 1"#, "outpost_connected_devices 0"] {
                    #expect(text.contains(name), "missing \(name)")
                }
            }
        }
    }
}
