/// Frames received and not yet taken, in order; `take` waits for the next one. The inbound half
/// of the memory and WebSocket transports.
public actor FrameQueue {
    private var buffer: [[UInt8]] = []
    private var waiter: CheckedContinuation<[UInt8]?, Never>?
    private var closed = false

    public init() {}

    /// Queues a frame; returns `false` (dropping it) once the queue is closed.
    @discardableResult
    public func put(_ frame: [UInt8]) -> Bool {
        guard !closed else { return false }
        if let waiter {
            self.waiter = nil
            waiter.resume(returning: frame)
        } else {
            buffer.append(frame)
        }
        return true
    }

    /// The next frame, or `nil` once the queue is closed and empty.
    public func take() async -> [UInt8]? {
        if !buffer.isEmpty { return buffer.removeFirst() }
        if closed { return nil }
        return await withCheckedContinuation { waiter = $0 }
    }

    /// Ends the queue; frames already queued are still taken unless `dropBuffered`.
    public func close(dropBuffered: Bool = false) {
        closed = true
        if dropBuffered { buffer.removeAll() }
        waiter?.resume(returning: nil)
        waiter = nil
    }
}
