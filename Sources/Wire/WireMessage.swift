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
    public var have: VersionVector
    public var clockMs: UInt64
    public var maxFrameBytes: UInt32

    public init(protocolVersion: UInt32 = WireProtocol.version, replica: ReplicaID, brand: BrandID, user: UserID?,
                have: VersionVector, clockMs: UInt64, maxFrameBytes: UInt32 = 0) {
        self.protocolVersion = protocolVersion
        self.replica = replica
        self.brand = brand
        self.user = user
        self.have = have
        self.clockMs = clockMs
        self.maxFrameBytes = maxFrameBytes
    }
}

/// Server → device: the answer to ``Hello``.
public struct Welcome: Hashable, Sendable {
    public var protocolVersion: UInt32
    public var serverReplica: ReplicaID
    public var have: VersionVector
    public var clockMs: UInt64
    public var maxFrameBytes: UInt32

    public init(protocolVersion: UInt32 = WireProtocol.version, serverReplica: ReplicaID, have: VersionVector,
                clockMs: UInt64, maxFrameBytes: UInt32 = 0) {
        self.protocolVersion = protocolVersion
        self.serverReplica = serverReplica
        self.have = have
        self.clockMs = clockMs
        self.maxFrameBytes = maxFrameBytes
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
