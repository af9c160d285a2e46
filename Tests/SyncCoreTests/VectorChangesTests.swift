import Causality
import InboxModel
import SyncCore
import Testing
import Wire

/// Protocol/SPEC.md, "Vector changes": a hello written against a base both sides agreed on, a
/// Welcome written against the hello, and a hello asked for again when its base is unknown.
@Suite("Vector changes in the handshake")
struct VectorChangesTests {
    static let brand = BrandID(rawValue: "northwind")!
    static let dana = UserID(rawValue: "dana")!
    static let server = ReplicaID(1)
    static let laptop = ReplicaID(0xd1)
    static let scope = DeviceScope(replica: laptop, brand: brand, user: dana)

    /// A brand's vector with `devices` replicas (random ids, as enrollment makes them) that each
    /// wrote some ops; the first is ``writer``.
    static func vector(devices: Int) -> VersionVector {
        var vector = VersionVector()
        vector.advance(Dot(replica: server, counter: 9))
        var random = SplitMix64(seed: 7)
        for index in 0..<devices {
            let replica = index == 0 ? writer : ReplicaID(random.next() % ReplicaID.maxRawValue + 1)
            vector.advance(Dot(replica: replica, counter: 1 + random.next() % 5_000))
        }
        return vector
    }

    static let writer = ReplicaID(0x5eed_0001)

    static func hello(_ actions: [SyncAction]) -> Hello? {
        for case .send(.hello(let hello)) in actions { return hello }
        return nil
    }

    static func welcome(_ actions: [SyncAction]) -> Welcome? {
        for case .send(.welcome(let welcome)) in actions { return welcome }
        return nil
    }

    static func remembered(_ actions: [SyncAction]) -> [VersionVector?] {
        actions.compactMap { if case .rememberBase(let vector) = $0 { vector } else { nil } }
    }

    @Test("with 100 devices a hello and Welcome carry only what changed; both sides rebuild the whole vectors and agree on the next base")
    func smallHandshake() throws {
        let base = Self.vector(devices: 100)
        var deviceHave = base
        deviceHave.advance(Dot(replica: Self.laptop, counter: 3))  // its own new ops
        var serverHave = base
        serverHave.advance(Dot(replica: Self.writer, counter: base[Self.writer] + 1))  // one device wrote since

        var device = SyncSession.device(replica: Self.laptop, brand: Self.brand, user: Self.dana)
        let hello = try #require(Self.hello(device.start(have: deviceHave, base: base, clockMs: 0)))
        #expect(hello.haveBase == base.digest)
        #expect(hello.haveChanges == VectorChanges([Self.laptop: 3]))
        #expect(hello.have.isEmpty)
        let helloBytes = try FrameCodec.encode(.hello(hello)).count
        let wholeBytes = try FrameCodec.encode(.hello(Hello(replica: Self.laptop, brand: Self.brand, user: Self.dana,
                                                             have: deviceHave, clockMs: 0))).count
        #expect(helloBytes < 100 && wholeBytes > 1_000, "hello \(helloBytes) B, whole \(wholeBytes) B")

        var server = SyncSession.server(replica: Self.server, device: Self.scope)
        // The hello crosses the wire: what the server reads is what the device wrote.
        let received = try FrameCodec.decode(try FrameCodec.encode(.hello(hello)))
        #expect(server.receive(received, clockMs: 0) == [.readVector(base: base.digest)])
        let answer = server.vectorRead(have: serverHave, base: base, clockMs: 0)
        #expect(answer.contains(.connected(peer: Self.laptop, peerHave: deviceHave, clockSkewMs: 0)))
        let welcome = try #require(Self.welcome(answer))
        #expect(welcome.haveChanges == VectorChanges(from: deviceHave, to: serverHave))
        #expect(welcome.haveChanges?.count == 2)  // the device's new ops, the other device's
        #expect(try FrameCodec.encode(.welcome(welcome)).count < 100)

        let welcomed = device.receive(try FrameCodec.decode(try FrameCodec.encode(.welcome(welcome))), clockMs: 0)
        #expect(welcomed.contains(.connected(peer: Self.server, peerHave: serverHave, clockSkewMs: 0)))
        // Both sides remember the same vector: the device's hello vector, before any op moved.
        #expect(Self.remembered(answer) == [deviceHave])
        #expect(Self.remembered(welcomed) == [deviceHave])
    }

    @Test("a hello whose base the server does not know is asked for again whole; what came behind it is not taken")
    func unknownBase() throws {
        let base = Self.vector(devices: 10)
        var have = base
        have.advance(Dot(replica: Self.laptop, counter: 1))
        var device = SyncSession.device(replica: Self.laptop, brand: Self.brand, user: Self.dana,
                                        opening: .withHello(serverHas: base))
        let opened = device.start(have: have, base: base, clockMs: 0)
        let hello = try #require(Self.hello(opened))
        #expect(hello.haveChanges != nil)
        var server = SyncSession.server(replica: Self.server, device: Self.scope)
        _ = server.receive(.hello(hello), clockMs: 0)
        let refused = server.vectorRead(have: base, base: nil, clockMs: 0)
        let resend = try #require(Self.welcome(refused))
        #expect(resend.resendHave && resend.have.isEmpty && resend.haveChanges == nil)
        #expect(refused.count == 1, "nothing but the Welcome: no ops loaded, no base remembered")
        // The device's first batch, sent behind the hello, is passed over.
        #expect(server.receive(.ops(OpBatch(batch: 1, ops: [], more: false)), clockMs: 0).isEmpty)
        #expect(!server.isClosed)

        let again = device.receive(.welcome(resend), clockMs: 0)
        #expect(again.first == .rememberBase(nil))
        let whole = try #require(Self.hello(again))
        #expect(whole.haveChanges == nil && whole.have == have && whole.vectorChanges)
        #expect(again.contains(.loadOps(missingFrom: base, limit: SyncConfiguration.default.maxOpsPerBatch)))
        #expect(server.receive(.hello(whole), clockMs: 0) == [.readVector(base: nil)])
        let welcomed = server.vectorRead(have: base, clockMs: 0)
        #expect(welcomed.contains(.connected(peer: Self.laptop, peerHave: have, clockSkewMs: 0)))
    }

    @Test("a server never asks again for a whole hello, and a device takes no such request")
    func noResendLoop() {
        var device = SyncSession.device(replica: Self.laptop, brand: Self.brand, user: Self.dana)
        _ = device.start(have: Self.vector(devices: 3), clockMs: 0)
        let actions = device.receive(.welcome(Welcome(serverReplica: Self.server, have: VersionVector(), clockMs: 0,
                                                      resendHave: true)), clockMs: 0)
        #expect(actions.contains { if case .failed(let error) = $0 { error.code == .protocolViolation } else { false } })
    }

    @Test("changes rebuild the vector exactly, removals included; the digest depends on every entry")
    func changesAndDigest() {
        let base = Self.vector(devices: 5)
        var target = base
        target.advance(Dot(replica: ReplicaID(77), counter: 2))
        target[Self.server] = 0
        let changes = VectorChanges(from: base, to: target)
        #expect(changes.applied(to: base) == target)
        #expect(changes.entries[Self.server] == 0)
        #expect(changes.count == 2)
        var other = base
        other.advance(Dot(replica: Self.server, counter: 10))
        #expect(base.digest != other.digest)
        #expect(base.digest == Self.vector(devices: 5).digest)
        #expect(VersionVector().digest != 0)
    }
}
