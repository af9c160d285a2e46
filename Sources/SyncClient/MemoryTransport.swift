/// Two connected in-memory transports: what one sends, the other receives. For tests and the
/// scenario harness; the fake for the ``FrameTransport`` seam.
public final class MemoryTransport: FrameTransport {
    private let inbox: Mailbox
    private let outbox: Mailbox

    /// A connected pair: (device side, server side).
    public static func pair() -> (MemoryTransport, MemoryTransport) {
        let toDevice = Mailbox(), toServer = Mailbox()
        return (MemoryTransport(inbox: toDevice, outbox: toServer), MemoryTransport(inbox: toServer, outbox: toDevice))
    }

    private init(inbox: Mailbox, outbox: Mailbox) {
        self.inbox = inbox
        self.outbox = outbox
    }

    public func send(_ frame: [UInt8]) async throws {
        try await outbox.put(frame)
    }

    public func receive() async throws -> [UInt8]? {
        await inbox.take()
    }

    public func close() async {
        await inbox.close()
        await outbox.close()
    }

    /// Frames in flight one way, in order.
    private actor Mailbox {
        private var buffer: [[UInt8]] = []
        private var waiter: CheckedContinuation<[UInt8]?, Never>?
        private var closed = false

        func put(_ frame: [UInt8]) throws {
            guard !closed else { throw MemoryTransportClosed() }
            if let waiter {
                self.waiter = nil
                waiter.resume(returning: frame)
            } else {
                buffer.append(frame)
            }
        }

        func take() async -> [UInt8]? {
            if !buffer.isEmpty { return buffer.removeFirst() }
            if closed { return nil }
            return await withCheckedContinuation { waiter = $0 }
        }

        func close() {
            closed = true
            waiter?.resume(returning: nil)
            waiter = nil
        }
    }
}

/// Sending on a closed ``MemoryTransport``.
public struct MemoryTransportClosed: Error {}
