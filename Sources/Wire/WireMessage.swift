public import Causality
public import InboxModel

/// One frame's content, in model types: what SyncCore sends and receives.
public enum WireMessage: Hashable, Sendable {
    case hello(Hello)
    case welcome(Welcome)
    case ops(OpBatch)
    case ack(Ack)
    case error(ErrorFrame)
}

/// Device → server: who I am and what I have.
public struct Hello: Hashable, Sendable {
    public var protocolVersion: UInt32
    public var replica: ReplicaID
    public var brand: BrandID
    public var user: UserID?
    /// The device's whole vector (empty when ``haveChanges`` is set).
    public var have: VersionVector
    public var clockMs: UInt64
    public var maxFrameBytes: UInt32
    /// The device's vector as changes against the base whose digest is ``haveBase``
    /// (``VersionVector/digest``); `nil`: ``have`` is the whole vector.
    public var haveChanges: VectorChanges?
    /// The digest of the base of ``haveChanges`` (0 without).
    public var haveBase: UInt64
    /// The device reads a Welcome's vector sent as changes against this hello's whole vector.
    public var vectorChanges: Bool

    public init(protocolVersion: UInt32 = WireProtocol.version, replica: ReplicaID, brand: BrandID, user: UserID?,
                have: VersionVector, clockMs: UInt64, maxFrameBytes: UInt32 = 0, vectorChanges: Bool = false) {
        self.protocolVersion = protocolVersion
        self.replica = replica
        self.brand = brand
        self.user = user
        self.have = have
        self.clockMs = clockMs
        self.maxFrameBytes = maxFrameBytes
        self.haveChanges = nil
        self.haveBase = 0
        self.vectorChanges = vectorChanges
    }

    /// A hello whose vector is `changes` against the base with digest `base` (not 0).
    public init(protocolVersion: UInt32 = WireProtocol.version, replica: ReplicaID, brand: BrandID, user: UserID?,
                changes: VectorChanges, base: UInt64, clockMs: UInt64, maxFrameBytes: UInt32 = 0) {
        self.init(protocolVersion: protocolVersion, replica: replica, brand: brand, user: user, have: VersionVector(),
                  clockMs: clockMs, maxFrameBytes: maxFrameBytes, vectorChanges: true)
        haveChanges = changes
        haveBase = base
    }
}

/// Server → device: the answer to ``Hello``.
public struct Welcome: Hashable, Sendable {
    public var protocolVersion: UInt32
    public var serverReplica: ReplicaID
    /// The server's whole vector in the device's scope (empty when ``haveChanges`` is set).
    public var have: VersionVector
    public var clockMs: UInt64
    public var maxFrameBytes: UInt32
    /// The server's vector as changes against the hello's whole vector (only to a hello that set
    /// ``Hello/vectorChanges``); `nil`: ``have`` is the whole vector.
    public var haveChanges: VectorChanges?
    /// The server does not know the base the hello named: the device sends its hello again, whole.
    public var resendHave: Bool

    public init(protocolVersion: UInt32 = WireProtocol.version, serverReplica: ReplicaID, have: VersionVector,
                clockMs: UInt64, maxFrameBytes: UInt32 = 0, haveChanges: VectorChanges? = nil,
                resendHave: Bool = false) {
        self.protocolVersion = protocolVersion
        self.serverReplica = serverReplica
        self.have = have
        self.clockMs = clockMs
        self.maxFrameBytes = maxFrameBytes
        self.haveChanges = haveChanges
        self.resendHave = resendHave
    }
}

/// A page of ops, in a causal order, each in its payload bytes.
public struct OpBatch: Hashable, Sendable {
    /// The sender's sequence number of this batch in the session, from 1.
    public var batch: UInt64
    public var ops: [EncodedOp]
    /// More pages follow.
    public var more: Bool

    public init(batch: UInt64, ops: [EncodedOp], more: Bool) {
        self.batch = batch
        self.ops = ops
        self.more = more
    }

    /// A batch of ops made here: each is encoded.
    public init(batch: UInt64, encoding ops: [Op], more: Bool) throws(WireError) {
        var encoded: [EncodedOp] = []
        encoded.reserveCapacity(ops.count)
        for op in ops { encoded.append(try EncodedOp(op)) }
        self.init(batch: batch, ops: encoded, more: more)
    }
}

/// "I have durably applied everything `have` covers", sent after the commit.
public struct Ack: Hashable, Sendable {
    public var have: VersionVector
    public var batch: UInt64

    public init(have: VersionVector, batch: UInt64) {
        self.have = have
        self.batch = batch
    }
}

/// Protocol constants.
public enum WireProtocol {
    /// The sync protocol version in Hello and Welcome. Version 2: a batch carries its ops as
    /// payloads (``EncodedOp``), no longer as one table-sharing `ops` list.
    public static let version: UInt32 = 2
    /// The frame format version in every frame header.
    public static let frameVersion: UInt8 = 1
}
