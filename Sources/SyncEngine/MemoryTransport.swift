/// Two connected in-memory transports: what one sends, the other receives. For tests and the
/// scenario harness; the fake for the ``FrameTransport`` seam.
public final class MemoryTransport: FrameTransport {
    private let inbox: FrameQueue
    private let outbox: FrameQueue

    /// A connected pair: (device side, server side).
    public static func pair() -> (MemoryTransport, MemoryTransport) {
        let toDevice = FrameQueue(), toServer = FrameQueue()
        return (MemoryTransport(inbox: toDevice, outbox: toServer), MemoryTransport(inbox: toServer, outbox: toDevice))
    }

    private init(inbox: FrameQueue, outbox: FrameQueue) {
        self.inbox = inbox
        self.outbox = outbox
    }

    public func send(_ frame: [UInt8]) async throws {
        guard await outbox.put(frame) else { throw MemoryTransportClosed() }
    }

    public func receive() async throws -> [UInt8]? {
        await inbox.take()
    }

    public func close() async {
        await inbox.close()
        await outbox.close()
    }
}

/// Sending on a closed ``MemoryTransport``.
public struct MemoryTransportClosed: Error {}
