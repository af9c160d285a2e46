import Causality
import GRDB

/// The messages one transaction has written so far, by dot, with the delivery stamps it wrote for
/// them: so that a delivery state for a message of the same batch (a brand reply and its `sent`,
/// which usually travel together) needs neither the message's row id nor its current delivery
/// row read back from the tables. A message written in this transaction has no delivery row from
/// before it.
final class AppliedMessages {
    private var rowIDs: [Dot: Int64] = [:]
    private var deliveryStamps: [Int64: HLCTimestamp] = [:]

    func inserted(_ dot: Dot, rowID: Int64) {
        rowIDs[dot] = rowID
    }

    /// The row id of `dot` if this transaction wrote the message, with the stamp of the delivery
    /// state it wrote for it since (`nil`: none yet).
    func lookup(_ dot: Dot) -> (rowID: Int64, delivery: HLCTimestamp?)? {
        guard let rowID = rowIDs[dot] else { return nil }
        return (rowID, deliveryStamps[rowID])
    }

    /// A delivery state was written for message `rowID` with `stamp` (kept whatever the message:
    /// only looked up for messages of this transaction).
    func delivered(_ rowID: Int64, stamp: HLCTimestamp) {
        deliveryStamps[rowID] = stamp
    }
}
