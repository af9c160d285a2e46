public import InboxModel

/// A conflict scenario as written in a scenario file (Protocol/SCENARIOS.md): who exists, and the
/// steps to run in order. Parse one with ``ScenarioParser``, run it with ``ScenarioRunner``, write
/// one back with ``ScenarioWriter``.
///
/// ```swift
/// let document = try ScenarioParser.parse(text, file: "week-offline.yaml")
/// let report = try ScenarioRunner(seed: 1).run(document)
/// print(report.passed)
/// ```
public struct ScenarioDocument: Hashable, Sendable {
    /// The default start of the virtual clock: 2027-01-15T08:00:00Z.
    public static let defaultStartMs: UInt64 = 1_800_000_000_000

    public var name: String
    public var description: String?
    /// The seed used when the command line gives none.
    public var seed: UInt64?
    /// The virtual clock at the start, in ms since the Unix epoch.
    public var startMs: UInt64
    public var brand: BrandID
    public var users: [UserSpec]
    public var partners: [PartnerSpec]
    /// The devices enrolled at the start; each syncs once before the first step.
    public var devices: [DeviceSpec]
    /// Most ops per batch (paging); small values make multi-batch sessions.
    public var batchSize: Int?
    /// When `true`, a user action that the replica refuses (no such thread on that device yet, a
    /// draft in conflict…) is logged and skipped instead of failing the run. Fuzzer output uses it.
    public var lenient: Bool
    public var steps: [Step]

    public init(name: String, description: String? = nil, seed: UInt64? = nil, startMs: UInt64 = defaultStartMs,
                brand: BrandID, users: [UserSpec], partners: [PartnerSpec], devices: [DeviceSpec],
                batchSize: Int? = nil, lenient: Bool = false, steps: [Step]) {
        self.name = name
        self.description = description
        self.seed = seed
        self.startMs = startMs
        self.brand = brand
        self.users = users
        self.partners = partners
        self.devices = devices
        self.batchSize = batchSize
        self.lenient = lenient
        self.steps = steps
    }
}

/// A user of the brand.
public struct UserSpec: Hashable, Sendable {
    public var id: UserID
    public var name: String

    public init(id: UserID, name: String? = nil) {
        self.id = id
        self.name = name ?? id.rawValue.capitalized
    }
}

/// A partner of the brand, created by the platform before the first step.
public struct PartnerSpec: Hashable, Sendable {
    public var id: PartnerID
    public var name: String
    public var status: PartnershipStatus

    public init(id: PartnerID, name: String? = nil, status: PartnershipStatus = .active) {
        self.id = id
        self.name = name ?? id.rawValue
        self.status = status
    }
}

/// A device install of one user.
public struct DeviceSpec: Hashable, Sendable {
    /// The name steps use (`laptop`); not `server`, `all` or `converged`.
    public var name: String
    public var user: UserID
    /// How far the device's clock is off the true (virtual) time, in ms; negative is behind.
    public var clockOffsetMs: Int64

    public init(name: String, user: UserID, clockOffsetMs: Int64 = 0) {
        self.name = name
        self.user = user
        self.clockOffsetMs = clockOffsetMs
    }

    /// Names a device may not take.
    public static let reservedNames: Set<String> = ["server", "all", "converged", "mail"]
}
