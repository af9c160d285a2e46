import Causality
import Foundation
import Hummingbird
import HummingbirdTesting
import HummingbirdWSClient
import HummingbirdWSTesting
import InboxModel
import Logging
import NIOCore
import Replica
import Synchronization
import ServerAPI
import SyncClient
import SyncCore
import SyncEngine
@testable import SyncServer
import Wire

/// A server data directory with two brands: northwind (users dana and sam, partner p1) and acme
/// (user eve).
struct TestWorld {
    static let northwind = BrandID(rawValue: "northwind")!
    static let acme = BrandID(rawValue: "acme")!
    static let dana = UserID(rawValue: "dana")!
    static let sam = UserID(rawValue: "sam")!
    static let eve = UserID(rawValue: "eve")!
    static let partner = PartnerID(rawValue: "p1")!

    let directory: String
    let store: ServerStore
    let server: OutpostServer

    /// `clock` times the enrollment rate limit (the system clock by default). Without `delivery`,
    /// nothing is delivered (messages stay `queued`); `mailDirectory` is a folder for a file transport.
    /// The default limits have a 60 s hello timeout, not the server's 10 s: in a full parallel test
    /// run on two busy cores a hello has been seen to take longer than 10 s to be read. The hello
    /// timeout's own tests pass their limits.
    ///
    /// The header and idle timeouts are an hour in every test world, whatever `limits` says:
    /// HummingbirdTesting's live client opens its one HTTP connection when the test starts, may
    /// send its first request only after a minute of WebSocket work on a busy machine, and never
    /// reconnects. (The timeouts themselves are tested against a real process:
    /// Tools/hostile-tests/run.py.)
    /// `helloClock` measures the hello timeout (a ``ManualClock`` in its tests).
    init(limits: ServerLimits = ServerLimits(helloTimeout: .seconds(60)), clock: (any PhysicalClock)? = nil,
         helloClock: (any Clock<Duration>)? = nil,
         delivery: ((_ mailDirectory: String) -> DeliveryConfiguration)? = nil) throws {
        var limits = limits
        limits.headerTimeout = .seconds(3_600)
        limits.idleTimeout = .seconds(3_600)
        directory = NSTemporaryDirectory() + "outpost-server-\(UUID().uuidString)"
        store = try ServerStore.open(directory: directory)
        try store.addBrand(Self.northwind, name: "Northwind")
        try store.addUser(brand: Self.northwind, id: Self.dana, name: "Dana", email: "dana@example.com")
        try store.addUser(brand: Self.northwind, id: Self.sam, name: "Sam", email: "sam@example.com")
        try store.addPartner(brand: Self.northwind, id: Self.partner, name: "Juniper", email: "j@example.com",
                             status: .active)
        try store.addBrand(Self.acme, name: "Acme")
        try store.addUser(brand: Self.acme, id: Self.eve, name: "Eve", email: "eve@example.com")
        var server = OutpostServer(store: store, limits: limits, delivery: delivery?(directory + "/outbox-mail"),
                                   clock: clock)
        server.pollInterval = .milliseconds(20)
        if let helloClock { server.helloClock = helloClock }
        self.server = server
    }

    var app: some ApplicationProtocol { server.application(host: "127.0.0.1", port: 0) }

    /// Enrolls a device of `user` directly through the store.
    func enroll(_ user: UserID, brand: BrandID = northwind) throws -> (enrollment: Enrollment, replica: Replica) {
        let code = try store.makeEnrollmentCode(brand: brand, user: user, validForMs: 60_000)
        let enrollment = try store.enroll(code: code, deviceName: "\(user)'s test device")
        let replica = try Replica.inMemory(identity: ReplicaIdentity(replica: enrollment.replica, brand: brand, viewer: user))
        return (enrollment, replica)
    }

    func brandReplica(_ brand: BrandID = northwind) throws -> Replica { try store.brandReplica(brand) }

    func cleanUp() { try? FileManager.default.removeItem(atPath: directory) }
}

/// The device side of a WebSocket for tests: binary messages are frames.
final class TestClientTransport: FrameTransport {
    private let outbound: WebSocketOutboundWriter
    private let mailbox = FrameQueue()

    init(outbound: WebSocketOutboundWriter) {
        self.outbound = outbound
    }

    func deliver(_ message: WebSocketMessage) async {
        if case .binary(let buffer) = message { await mailbox.put(Array(buffer.readableBytesView)) }
    }

    func finish() async { await mailbox.close() }

    func send(_ frame: [UInt8]) async throws {
        try await outbound.write(.binary(ByteBuffer(bytes: frame)))
    }

    func receive() async throws -> [UInt8]? {
        await mailbox.take()
    }

    func close() async {
        await mailbox.close()
        try? await outbound.close(.normalClosure, reason: nil)
    }
}

enum SyncOutcome: Sendable, Equatable {
    case caughtUp
    case failed(String)
}

extension TestClientProtocol {
    /// One device sync over the live socket: hello, push and pull until caught up, then close.
    /// With `stop`, a live session: it stays connected until `stop` yields (or the server ends it),
    /// feeding `onEvent` every event.
    func sync(_ replica: Replica, token: String?, stop: AsyncStream<Void>? = nil,
              onEvent: @escaping @Sendable (SyncEvent) -> Void = { _ in }) async throws -> SyncOutcome {
        var configuration = WebSocketClientConfiguration(maxFrameSize: 4 << 20)
        if let token { configuration.additionalHeaders[.authorization] = "Bearer \(token)" }
        let outcome = Box<SyncOutcome>(.failed("no session"))
        try await ws("/v1/sync", configuration: configuration) { inbound, outbound, _ in
            let transport = TestClientTransport(outbound: outbound)
            let driver = SyncDriver(session: .device(replica: replica.identity.replica, brand: replica.identity.brand,
                                                     user: replica.identity.viewer),
                                    store: replica)
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        for try await message in inbound.messages(maxSize: 4 << 20) { await transport.deliver(message) }
                    } catch {}
                    await transport.finish()
                }
                let stopper = Task {
                    guard let stop else { return }
                    for await _ in stop { break }
                    await transport.finish()
                }
                group.addTask {
                    do {
                        try await driver.run(over: transport, untilCaughtUp: stop == nil, events: onEvent)
                        outcome.update { $0 = .caughtUp }
                    } catch {
                        var text = "\(error)"
                        if case .refused(let frame)? = error as? SyncFailure { text = frame.code.rawValue }
                        outcome.update { $0 = .failed(text) }
                    }
                    stopper.cancel()
                    await transport.close()
                }
            }
        }
        return outcome.current
    }
}

/// Collects values across tasks.
final class Box<Value: Sendable>: Sendable {
    private let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
    func update<R>(_ body: (inout Value) -> R) -> R { value.withLock { body(&$0) } }
    var current: Value { value.withLock { $0 } }
}
