import Causality
import InboxModel
import Wire

/// The data of an open session (``SyncSession``'s `open` state): the sending half, which pages
/// what the peer lacks with at most ``SyncConfiguration/maxBatchesInFlight`` batches
/// unacknowledged, and the receiving half, which applies and acknowledges the peer's batches in
/// order. On the server it also carries the device's ``DeviceScope``: what is sent is redacted for
/// the device's user, and what is received is checked against the device.
struct Exchange: Sendable {
    let configuration: SyncConfiguration
    /// Server only: the device on the other end.
    let scope: DeviceScope?

    // Sending half.
    /// What the peer is known to have: its hello/welcome vector, joined with its acks and with
    /// every op it sent us.
    private(set) var peerHave: VersionVector
    /// `peerHave` joined with every op sent: where the next load starts.
    private var sentHave: VersionVector
    private var sentBatches: UInt64 = 0
    /// Batches sent and not yet acknowledged, oldest first.
    private var inFlight: [(batch: UInt64, more: Bool)] = []
    private var loading = false
    private var buffered: [EncodedOp] = []
    /// The last load stopped at its limit: the journal has more for the peer.
    private var bufferedMore = false
    /// The first exchange still owes the peer a batch with `more = false`.
    private var owesFinalBatch = true
    private var pushedAll = false
    private var localChangedWhileBusy = false

    // Receiving half.
    private var expectedBatch: UInt64 = 1
    private var applying: OpBatch?
    private var receivedAll = false
    private var reportedCaughtUp = false

    init(configuration: SyncConfiguration, scope: DeviceScope?, peerHave: VersionVector) {
        self.configuration = configuration
        self.scope = scope
        self.peerHave = peerHave
        self.sentHave = peerHave
    }

    /// The peer told what it has (a Welcome after an early push).
    mutating func learn(_ have: VersionVector) {
        peerHave.join(have)
        sentHave.join(have)
    }

    // MARK: Sending half

    mutating func load() -> [SyncAction] {
        loading = true
        localChangedWhileBusy = false
        return [.loadOps(missingFrom: sentHave, limit: configuration.maxOpsPerBatch)]
    }

    mutating func opsLoaded(_ ops: [EncodedOp], more: Bool) -> [SyncAction] {
        guard loading else { return [] }
        loading = false
        // The server sends a device its brand's ops as the journal holds them, other users' private
        // ones as stand-ins (the only ops encoded on the way).
        if let scope {
            buffered = []
            buffered.reserveCapacity(ops.count)
            for op in ops {
                do {
                    buffered.append(try op.scoped(to: scope.user))
                } catch {
                    return fail(ErrorFrame(code: .storageError, message: "journal entry \(op.dot) cannot be read: \(error)",
                                           retryable: true))
                }
            }
        } else {
            buffered = ops
        }
        bufferedMore = more
        return sendPages()
    }

    mutating func localChanged() -> [SyncAction] {
        guard pushedAll, !loading, buffered.isEmpty, !bufferedMore else {
            localChangedWhileBusy = true
            return []
        }
        return load()
    }

    /// Sends pages of what is loaded while the window has room, and loads the next ops when the
    /// loaded ones run out and the journal has more (or new ones arrived meanwhile).
    private mutating func sendPages() -> [SyncAction] {
        var actions: [SyncAction] = []
        while inFlight.count < configuration.maxBatchesInFlight {
            if buffered.isEmpty && (bufferedMore || localChangedWhileBusy) {
                if !loading { actions += load() }
                break
            }
            if buffered.isEmpty && !owesFinalBatch { break }
            var count = 0
            var bytes = 0
            for op in buffered.prefix(configuration.maxOpsPerBatch) {
                let size = Self.estimatedSize(op)
                if count > 0 && bytes + size > configuration.maxBatchBytes { break }
                count += 1
                bytes += size
            }
            let page = Array(buffered.prefix(count))
            buffered.removeFirst(count)
            let more = !buffered.isEmpty || bufferedMore
            for op in page { sentHave.advance(op.dot) }
            if !more { owesFinalBatch = false }
            sentBatches += 1
            inFlight.append((sentBatches, more))
            actions.append(.send(.ops(OpBatch(batch: sentBatches, ops: page, more: more))))
        }
        return actions
    }

    mutating func acknowledged(_ ack: Ack) -> [SyncAction] {
        peerHave.join(ack.have)
        sentHave.join(ack.have)
        guard let oldest = inFlight.first, oldest.batch == ack.batch else {
            // Batch 0 acknowledges no batch: it only tells what the peer has.
            guard ack.batch == 0 else {
                return fail(.protocolViolation("ack of batch \(ack.batch), none was waiting"))
            }
            return [.peerAcknowledged(peerHave)]
        }
        inFlight.removeFirst()
        // A batch with `more = false` ended everything the journal held for the peer when it was
        // loaded: once it is acknowledged, the first exchange's push is done.
        if !oldest.more && inFlight.isEmpty { pushedAll = true }
        return [.peerAcknowledged(peerHave)] + sendPages() + caughtUpIfDone()
    }

    // MARK: Receiving half

    mutating func batchArrived(_ batch: OpBatch) -> [SyncAction] {
        guard applying == nil else {
            return fail(.protocolViolation("batch \(batch.batch) arrived while the previous one was being applied"))
        }
        guard batch.batch == expectedBatch else {
            return fail(.protocolViolation("expected batch \(expectedBatch), got \(batch.batch)"))
        }
        applying = batch
        return [.apply(batch, checkedBy: scope)]
    }

    mutating func applied(batch: UInt64, have: VersionVector) -> [SyncAction] {
        guard let current = applying, current.batch == batch else { return [] }
        applying = nil
        expectedBatch += 1
        // The ack names only the replicas the batch moved: the peer joins it into what it knows, so
        // the rest of the vector would only cost bytes on every round.
        var moved = VersionVector()
        for op in current.ops {
            // The peer has what it sent: never send it back (nor anything before it of that replica).
            peerHave.advance(op.dot)
            sentHave.advance(op.dot)
            moved.advance(Dot(replica: op.dot.replica, counter: have[op.dot.replica]))
        }
        if !current.more { receivedAll = true }
        return [.send(.ack(Ack(have: moved, batch: batch)))] + caughtUpIfDone()
    }

    private mutating func caughtUpIfDone() -> [SyncAction] {
        guard pushedAll, receivedAll, !reportedCaughtUp else { return [] }
        reportedCaughtUp = true
        return [.caughtUp]
    }

    private func fail(_ error: ErrorFrame) -> [SyncAction] {
        [.send(.error(error)), .failed(error)]
    }

    /// The op's size in the frame: its payload and the few bytes of the field around it.
    static func estimatedSize(_ op: EncodedOp) -> Int {
        op.bytes.count + 4
    }
}
