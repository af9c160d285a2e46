public import Causality
public import InboxModel
public import Wire

/// What one enrolled device is: the replica, brand and user its token vouches for. The server's
/// session checks the device's hello against it, redacts what it sends for its user, and checks
/// every batch the device pushes (Protocol/SERVER_API.md, "Validation") — with no I/O, so that the
/// server peer and the scenario harness accept and refuse exactly the same frames.
///
/// ```swift
/// let scope = DeviceScope(replica: device.replica, brand: device.brand, user: device.user)
/// if let refusal = scope.refusal(of: batch.ops, serverHas: try replica.versionVector(), nowMs: clock.nowMilliseconds()) {
///     // answer Error{invalid_op, refusal}; apply nothing
/// }
/// ```
public struct DeviceScope: Hashable, Sendable {
    /// How far ahead of the server's clock an op's stamp may be.
    public static let maxFutureMs: UInt64 = 24 * 60 * 60 * 1000

    public var replica: ReplicaID
    public var brand: BrandID
    public var user: UserID

    public init(replica: ReplicaID, brand: BrandID, user: UserID) {
        self.replica = replica
        self.brand = brand
        self.user = user
    }

    /// Why a hello must be refused (`forbidden`), or `nil` when it names exactly this device: its
    /// replica, brand and user. Scope comes from the token alone.
    public func refusal(of hello: Hello) -> ErrorFrame? {
        guard hello.replica == replica, hello.brand == brand, hello.user == user else {
            return ErrorFrame(code: .forbidden, message: "the hello does not match this device's token",
                              retryable: false)
        }
        return nil
    }

    /// Why the batch must be refused whole, or `nil` when every op is the device's own, in its
    /// user's name, not server-owned, not stamped more than ``maxFutureMs`` ahead of `nowMs`,
    /// contiguous with what the server has (`serverHas`), and depending only on ops the server has.
    public func refusal(of ops: [Op], serverHas vector: VersionVector, nowMs now: UInt64) -> String? {
        let have = vector[replica]
        var next = have + 1
        for op in ops {
            guard op.dot.replica == replica else {
                return Self.refuse(op, "was made by replica \(op.dot.replica), not by this device")
            }
            guard op.actor == .user(user) else {
                return Self.refuse(op, "names actor \(op.actor), not user:\(user)")
            }
            guard !op.kind.isServerOwned, op.kind != .redacted else {
                return Self.refuse(op, "is a \(op.kind) op, which only the server writes")
            }
            guard op.stamp.wall <= now &+ Self.maxFutureMs else {
                return Self.refuse(op, "has a stamp more than 24 h ahead of the server's clock")
            }
            if op.dot.counter <= have { continue }
            guard op.dot.counter == next else {
                return Self.refuse(op, "leaves a gap: the server expected counter \(next)")
            }
            // A device knows only the server's ops and its own: a dependency the server lacks is
            // forged, and would otherwise be held forever.
            if let missing = op.deps.first(where: { !vector.covers($0) }) {
                return Self.refuse(op, "depends on \(missing), which the server never had")
            }
            next += 1
        }
        return nil
    }

    private static func refuse(_ op: Op, _ why: String) -> String {
        "op \(op.dot) \(why); the batch was not applied"
    }
}
