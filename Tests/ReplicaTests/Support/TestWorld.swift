import Causality
import Foundation
import InboxModel
@testable import Replica
import OutpostTestSupport
import Testing

/// Where a test's replica lives: the same test runs against both.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case memory, disk
    var testDescription: String { rawValue }
}

/// A fresh directory under the system's temporary directory, removed when released.
final class TemporaryDirectory: Sendable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("outpost-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// A replica under test, keeping its directory (if on disk) alive as long as it is used.
struct Store {
    let replica: Replica
    let directory: TemporaryDirectory?

    var journalCount: Int { get throws { try replica.info().journalOps } }
}

/// The people, replicas and partners of the test brand.
enum World {
    /// "Now" for the seed history (2025-10-09), in ms.
    static let base: UInt64 = 1_760_000_000_000
    static let brand = Brand(id: BrandID(unchecked: "acme"), name: "Acme Outdoors")
    static let dana = User(id: UserID(unchecked: "dana"), name: "Dana Whitfield", email: "dana@acme.example")
    static let sam = User(id: UserID(unchecked: "sam"), name: "Sam Okoro", email: "sam@acme.example")
    static let server = ReplicaID(0x1)
    static let laptop = ReplicaID(0xd1)
    static let tablet = ReplicaID(0xd2)
    static let desktop = ReplicaID(0xd3)
    static let samDevice = ReplicaID(0x5a)

    static let alpine = Partner(id: PartnerID(unchecked: "alpine"), name: "Alpine Gear Co",
                                contactEmail: "hello@alpine.example", status: .active, statusSince: base - 90_000_000)
    static let birch = Partner(id: PartnerID(unchecked: "birch"), name: "Birch & Bloom",
                               contactEmail: "team@birch.example", status: .pending, statusSince: base - 80_000_000)
    static let cedar = Partner(id: PartnerID(unchecked: "cedar"), name: "Cedar Outdoor",
                               contactEmail: "info@cedar.example", status: .ended, statusSince: base - 70_000_000)
    static let cedarwood = Partner(id: PartnerID(unchecked: "cedarwood"), name: "Cedarwood Studio",
                                   contactEmail: "studio@cedarwood.example", status: .paused,
                                   statusSince: base - 60_000_000)

    static let inquiry = CustomerInquiry(
        customerName: "Maria Lopez", customerEmail: "maria@example.com", storefront: "Birch Online Shop",
        product: "Trail Lantern", text: "Does the lantern float on water? I paddle a lot.", askedAt: base + 2_500)

    static func identity(_ replica: ReplicaID = laptop, viewer: User? = dana) -> ReplicaIdentity {
        ReplicaIdentity(replica: replica, brand: brand.id, viewer: viewer?.id)
    }

    /// The device clock of the replicas under test: a minute after the seed history.
    static let deviceClock = FixedClock(milliseconds: base + 60_000)
}

/// The seed history, all made by the server replica: a brand, two users, four partners (one in
/// each status) and four conversations, one of them a system notification and one a Customer
/// Inquiry. Newest activity first: proposal, invoice, inquiry, leftPlatform.
struct Seed {
    var server = OpMaker(replica: World.server)
    private(set) var ops: [Op] = []
    private(set) var proposal = ConversationID(Dot(replica: World.server, counter: 1))
    private(set) var leftPlatform = ConversationID(Dot(replica: World.server, counter: 1))
    private(set) var inquiry = ConversationID(Dot(replica: World.server, counter: 1))
    private(set) var invoice = ConversationID(Dot(replica: World.server, counter: 1))

    static let proposalFollowUp = "Following up on the spring proposal with new photos."

    init() {
        let base = World.base
        add(.platform, .setBrand(World.brand), at: base)
        add(.platform, .upsertUser(World.dana), at: base)
        add(.platform, .upsertUser(World.sam), at: base)
        for partner in [World.alpine, World.birch, World.cedar, World.cedarwood] {
            add(.platform, .upsertPartner(partner), at: base)
        }
        proposal = start(.partner(World.alpine.id), StartConversation(
            kind: .direct, partner: World.alpine.id, subject: "Spring proposal",
            body: "Here is our proposal for the spring catalogue."), at: base + 1_000)
        leftPlatform = start(.platform, StartConversation(
            kind: .system, partner: World.cedar.id, subject: "Partner left the platform",
            body: "Cedar Outdoor has left the platform. Their open proposals were closed."), at: base + 2_000)
        inquiry = start(.partner(World.birch.id), StartConversation(
            kind: .inquiry, partner: World.birch.id, subject: CustomerInquiry.subject, inquiry: World.inquiry,
            body: "Forwarding a customer question about buoyancy."), at: base + 3_000)
        invoice = start(.partner(World.alpine.id), StartConversation(
            kind: .direct, partner: World.alpine.id, subject: "Invoice question",
            body: "When will invoice 42 be paid?"), at: base + 4_000)
        add(.partner(World.alpine.id),
            .postMessage(PostMessage(conversation: proposal, body: Self.proposalFollowUp)), at: base + 5_000)
    }

    private mutating func add(_ actor: Principal, _ body: OpBody, at wall: UInt64) {
        ops.append(server.make(actor, body, at: wall))
    }

    private mutating func start(_ actor: Principal, _ start: StartConversation, at wall: UInt64) -> ConversationID {
        add(actor, .startConversation(start), at: wall)
        return ConversationID(ops[ops.count - 1].dot)
    }

    /// The conversations, newest activity first.
    var newestFirst: [ConversationID] { [proposal, invoice, inquiry, leftPlatform] }
}

/// Makes an empty replica of the given kind.
func makeStore(_ kind: StoreKind, identity: ReplicaIdentity = World.identity(),
               clock: any PhysicalClock = World.deviceClock) throws -> Store {
    switch kind {
    case .memory:
        return Store(replica: try Replica.inMemory(identity: identity, clock: clock), directory: nil)
    case .disk:
        let directory = try TemporaryDirectory()
        let replica = try Replica.create(at: directory.path("replica.sqlite"), identity: identity, clock: clock)
        return Store(replica: replica, directory: directory)
    }
}

/// Makes a replica of the given kind holding the seed history.
func seededStore(_ kind: StoreKind, identity: ReplicaIdentity = World.identity(),
                 clock: any PhysicalClock = World.deviceClock) throws -> (Store, Seed) {
    let store = try makeStore(kind, identity: identity, clock: clock)
    let seed = Seed()
    let report = try store.replica.apply(seed.ops)
    #expect(report == ApplyReport(applied: seed.ops.count))
    return (store, seed)
}

extension Replica {
    /// Every journaled op made by `replica`, in journal order.
    func journalOps(madeBy replica: ReplicaID? = nil) throws -> [Op] {
        var all: [Op] = []
        try journal { ops in all += ops }
        return replica.map { id in all.filter { $0.dot.replica == id } } ?? all
    }

    /// The newest journaled op.
    func lastOp() throws -> Op? { try journalOps().last }

    func row(_ id: ConversationID) throws -> InboxRow? {
        try inbox(InboxFilter(limit: 10_000)).first { $0.id == id }
    }
}

/// Runs `body`, which must throw a replica error with `code`, and checks that it changed nothing.
func expectRefused(_ code: ReplicaError.Code, _ replica: Replica, _ what: Comment? = nil,
                   sourceLocation: SourceLocation = #_sourceLocation,
                   _ body: () throws -> Void) throws {
    let digest = try replica.digest()
    let journal = try replica.info().journalOps
    let vector = try replica.versionVector()
    let error = #expect(throws: ReplicaError.self, what, sourceLocation: sourceLocation) { try body() }
    #expect(error?.code == code, "\(what.map { "\($0): " } ?? "")\(error?.message ?? "no error")",
            sourceLocation: sourceLocation)
    #expect(try replica.digest() == digest, "the state changed", sourceLocation: sourceLocation)
    #expect(try replica.info().journalOps == journal, "the journal changed", sourceLocation: sourceLocation)
    #expect(try replica.versionVector() == vector, sourceLocation: sourceLocation)
}
