import Causality
import InboxModel
import Testing
@testable import SyncCore
import Wire

/// The protocol decisions the session makes alone, with no store and no transport: what a hello
/// gets, the hello timeout, what a bad frame gets, and the opening with the Hello.
@Suite("Session decisions")
struct SessionDecisionTests {
    static let brand = BrandID(rawValue: "northwind")!
    static let dana = UserID(rawValue: "dana")!
    static let laptop = DeviceScope(replica: ReplicaID(0xd1), brand: brand, user: dana)

    static func hello(replica: ReplicaID = ReplicaID(0xd1), user: UserID? = dana) -> WireMessage {
        .hello(Hello(replica: replica, brand: brand, user: user, have: VersionVector(), clockMs: 0))
    }

    static func failure(_ actions: [SyncAction]) -> ErrorFrame? {
        for case .failed(let error) in actions { return error }
        return nil
    }

    @Test("a hello naming the token's device is accepted: the store's vector is read for the Welcome")
    func accepted() {
        var session = SyncSession.server(replica: ReplicaID(1), device: Self.laptop)
        #expect(session.receive(Self.hello(), clockMs: 0) == [.readVector(base: nil)])
        let actions = session.vectorRead(have: VersionVector(), clockMs: 5)
        #expect(actions.first == .send(.welcome(Welcome(serverReplica: ReplicaID(1), have: VersionVector(), clockMs: 5))))
        #expect(actions.contains(.loadOps(missingFrom: VersionVector(), limit: SyncConfiguration.default.maxOpsPerBatch)))
    }

    @Test("a hello for another replica or user is refused with forbidden, and the session closes")
    func forbidden() {
        for hello in [Self.hello(replica: ReplicaID(0xee)), Self.hello(user: UserID(rawValue: "sam")!), Self.hello(user: nil)] {
            var session = SyncSession.server(replica: ReplicaID(1), device: Self.laptop)
            #expect(Self.failure(session.receive(hello, clockMs: 0))?.code.rawValue == "forbidden")
            #expect(session.isClosed)
        }
    }

    @Test("an admission refusal answers the hello instead of a Welcome")
    func admission() {
        let full = ErrorFrame(code: .tooManyConnections, message: "full", retryable: true)
        var session = SyncSession.server(replica: ReplicaID(1), device: Self.laptop, admission: full)
        #expect(session.receive(Self.hello(), clockMs: 0) == [.send(.error(full)), .failed(full)])
    }

    @Test("the hello timeout ends a session still waiting for its hello, and nothing once the hello came")
    func helloTimeout() {
        var silent = SyncSession.server(replica: ReplicaID(1), device: Self.laptop)
        let error = Self.failure(silent.helloTimedOut(after: .seconds(10)))
        #expect(error?.code.rawValue == "hello_timeout" && error?.retryable == true)
        var greeted = SyncSession.server(replica: ReplicaID(1), device: Self.laptop)
        _ = greeted.receive(Self.hello(), clockMs: 0)
        _ = greeted.vectorRead(have: VersionVector(), clockMs: 0)
        #expect(greeted.helloTimedOut(after: .seconds(10)).isEmpty)
        #expect(!greeted.isClosed)
    }

    @Test("a frame that does not decode gets its wire code back, and the session closes")
    func undecodable() {
        var session = SyncSession.server(replica: ReplicaID(1), device: Self.laptop)
        let actions = session.undecodable(.checksumMismatch(expected: 1, actual: 2))
        #expect(Self.failure(actions)?.code == .frameChecksum)
        #expect(actions.first.map { if case .send(.error) = $0 { true } else { false } } == true)
        #expect(session.isClosed)
    }

    @Test("a device opening with its Hello loads its first batch at once, before any Welcome")
    func openingWithHello() {
        var known = VersionVector()
        known.advance(Dot(replica: ReplicaID(1), counter: 7))
        var session = SyncSession.device(replica: ReplicaID(0xd1), brand: Self.brand, user: Self.dana,
                                         opening: .withHello(serverHas: known))
        let actions = session.start(have: VersionVector(), clockMs: 0)
        #expect(actions.count == 2)
        #expect(actions.last == .loadOps(missingFrom: known, limit: SyncConfiguration.default.maxOpsPerBatch))
        let sent = session.opsLoaded([], more: false)
        #expect(sent == [.send(.ops(OpBatch(batch: 1, ops: [], more: false)))])
        // The Welcome then only tells what the server has; the push is already under way.
        let welcomed = session.receive(.welcome(Welcome(serverReplica: ReplicaID(1), have: known, clockMs: 0)), clockMs: 0)
        #expect(welcomed == [.connected(peer: ReplicaID(1), peerHave: known, clockSkewMs: 0),
                             .rememberBase(VersionVector())])
    }

    @Test("a device never takes a hello")
    func deviceRefusesHello() {
        var session = SyncSession.device(replica: ReplicaID(0xd1), brand: Self.brand, user: Self.dana)
        _ = session.start(have: VersionVector(), clockMs: 0)
        #expect(Self.failure(session.receive(Self.hello(), clockMs: 0))?.code.rawValue == "protocol_violation")
    }
}
