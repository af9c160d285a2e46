public import InboxModel

extension Replica {
    /// Server only: makes one op of this replica with actor `platform` (a brand fact such as
    /// `setBrand`, `upsertUser` or `upsertPartner`) and applies it, through the same path as local
    /// actions: the next dot of this replica, a fresh HLC stamp, and the op's usual checks.
    ///
    /// Fails with `invalid_argument` on a device replica (one with a viewer):
    /// only the server speaks for the platform.
    @discardableResult
    public func performServerOp(_ body: OpBody) throws(ReplicaError) -> Op {
        guard identity.viewer == nil else {
            throw ReplicaError(.invalidArgument, "only the server replica writes platform ops")
        }
        guard let (op, _) = try perform(actor: .platform, { _, _ in (body, ()) }) else {
            throw ReplicaError(.invalidArgument, "the op was not made")
        }
        return op
    }
}
