public import Causality
public import InboxModel

/// An op in its canonical bytes (``OpPayload``), with what a sender needs without decoding them:
/// its dot and, for a private op, the user it belongs to. Journals store these bytes and frames
/// carry them unchanged; the only op a replica encodes is one it makes, or a stand-in for another
/// user's private op (``scoped(to:)``).
public struct EncodedOp: Hashable, Sendable {
    public let dot: Dot
    /// ``Op/privateOwner``: the user a private op (read state, drafts) belongs to, or nil.
    public let privateOwner: UserID?
    /// The op's payload, exactly as the replica that made it encoded it.
    public let bytes: [UInt8]
    /// The op, where this side has it decoded: every op of a received batch (decoding is how a
    /// batch is checked) and every op encoded here. `nil` for bytes read from a journal to send.
    public let op: Op?

    /// Encodes `op` (once, where it is made).
    public init(_ op: Op) throws(WireError) {
        self.init(dot: op.dot, privateOwner: op.privateOwner, bytes: try OpPayload.encode(op), op: op)
    }

    /// Decodes and checks `bytes` from outside (a frame's payload).
    public init(decoding bytes: [UInt8]) throws(WireError) {
        let op = try OpPayload.decode(bytes)
        self.init(dot: op.dot, privateOwner: op.privateOwner, bytes: bytes, op: op)
    }

    /// Bytes this replica stored after checking them, with the columns stored beside them.
    public init(stored bytes: [UInt8], dot: Dot, privateOwner: UserID?) {
        self.init(dot: dot, privateOwner: privateOwner, bytes: bytes, op: nil)
    }

    /// Equal when the bytes are: everything else is derived from them.
    public static func == (lhs: EncodedOp, rhs: EncodedOp) -> Bool { lhs.bytes == rhs.bytes }

    public func hash(into hasher: inout Hasher) { hasher.combine(bytes) }

    private init(dot: Dot, privateOwner: UserID?, bytes: [UInt8], op: Op?) {
        self.dot = dot
        self.privateOwner = privateOwner
        self.bytes = bytes
        self.op = op
    }

    /// The op: decoded here if it was not yet.
    public func decoded() throws(WireError) -> Op {
        if let op { return op }
        return try OpPayload.decode(bytes)
    }

    /// What a replica of `viewer` may receive (``Op/scoped(to:)``): these bytes, or for another
    /// user's private op a stand-in encoded here. A server replica (`viewer == nil`) sees all.
    public func scoped(to viewer: UserID?) throws(WireError) -> EncodedOp {
        guard let viewer, let privateOwner, privateOwner != viewer else { return self }
        let op = try decoded()
        guard op.kind != .redacted else { return self }
        return try EncodedOp(op.scoped(to: viewer))
    }
}
