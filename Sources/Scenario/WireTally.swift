import Wire

/// What crossed one device's link during its last `sync` step, counted the same way in both worlds
/// (the simulator as it carries frames, the live relay as it forwards them): the frames each side
/// sent, before any fault acted on them. The measurement expectations read it
/// (Protocol/SCENARIOS.md, "Measurements").
struct WireTally: Sendable, Equatable {
    /// Sessions the device opened: hello frames it sent.
    var sessions = 0
    var bytesUp = 0
    var bytesDown = 0
    var opsUp = 0
    var opsDown = 0
    /// The payloads of every op carried, end to end, for the compressed reference size.
    var payloads: [UInt8] = []

    /// Counts one sync frame of `bytes` bytes, decoded as `message`, sent up (device → server) or down.
    mutating func count(_ message: WireMessage, bytes: Int, up: Bool) {
        if up { bytesUp += bytes } else { bytesDown += bytes }
        switch message {
        case .hello where up:
            sessions += 1
        case .ops(let batch):
            if up { opsUp += batch.ops.count } else { opsDown += batch.ops.count }
            for op in batch.ops { payloads += op.bytes }
        default:
            break
        }
    }

    /// The ops carried, compressed together with zlib at the frames' level; `nil` when no op crossed.
    var compressedOps: Int? {
        guard !payloads.isEmpty else { return nil }
        return (try? Zlib.deflate(payloads))?.count
    }

    /// Sync-frame bytes both ways over ``compressedOps``.
    var wireRatio: Double? {
        compressedOps.map { Double(bytesUp + bytesDown) / Double(max($0, 1)) }
    }
}
