public import Causality
public import InboxModel
public import Replica

/// The demo brand, its people and their replicas: Dana (the field user whose device this is) on a
/// laptop and a tablet, her colleague Sam, and the server speaking for partners and the platform.
public enum DemoWorld {
    public static let brand = Brand(id: BrandID(unchecked: "northwind"), name: "Northwind Outfitters")
    public static let viewer = User(id: UserID(unchecked: "dana"), name: "Dana Whitfield",
                                    email: "dana@northwind.example")
    public static let colleague = User(id: UserID(unchecked: "sam"), name: "Sam Okoro", email: "sam@northwind.example")
    public static let server = ReplicaID(0x1)
    public static let laptop = ReplicaID(0xd1)
    public static let tablet = ReplicaID(0xd2)
    public static let colleagueDevice = ReplicaID(0x5a)

    /// The identity of Dana's laptop replica, which `outpost demo` builds.
    public static var laptopIdentity: ReplicaIdentity {
        ReplicaIdentity(replica: laptop, brand: brand.id, viewer: viewer.id)
    }
}

/// How big and which demo inbox to build.
public struct DemoOptions: Sendable, Hashable {
    /// Messages in all (at least 1). Conversations: about one per 15 messages up to 3,000
    /// messages, then one per 50.
    public var messages: Int
    public var seed: UInt64
    /// "Now" for the demo, in ms since the Unix epoch; history spans the 120 days before it.
    public var now: UInt64

    public init(messages: Int = 3000, seed: UInt64 = 2026, now: UInt64) {
        self.messages = messages
        self.seed = seed
        self.now = now
    }

    public var conversations: Int {
        messages <= 3000 ? max(1, messages / 15) : max(200, messages / 50)
    }

    public var partners: Int { max(DemoText.partnerNames.count, conversations / 100) }
}
