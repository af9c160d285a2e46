/// What applying a batch of ops did.
public struct ApplyReport: Hashable, Sendable {
    /// Ops written to the journal and applied to the state.
    public var applied = 0
    /// Ops this replica already had: skipped, nothing changed.
    public var duplicates = 0
    /// Ops whose causal past has not arrived: kept aside, applied when it does.
    public var held = 0
    /// Of `applied`, ops held by an earlier transaction whose causal past this one completed: ops
    /// that were not in this batch.
    public var releasedEarlier = 0

    public init(applied: Int = 0, duplicates: Int = 0, held: Int = 0, releasedEarlier: Int = 0) {
        self.applied = applied
        self.duplicates = duplicates
        self.held = held
        self.releasedEarlier = releasedEarlier
    }
}
