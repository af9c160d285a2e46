/// Frames received and not yet taken, in order; `take` waits for the next one. The inbound half
/// of the memory and WebSocket transports.
public actor FrameQueue {
    private var buffer: [[UInt8]] = []
    private var waiter: CheckedContinuation<[UInt8]?, Never>?
    /// Producers waiting in ``put(_:waitingBelow:)`` for the buffer to shrink.
    private var producers: [CheckedContinuation<Void, Never>] = []
    private var closed = false

    public init() {}

    /// Frames queued and not yet taken.
    public var count: Int { buffer.count }

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

    /// Queues a frame once fewer than `limit` frames wait untaken. A reader that pumps a socket in
    /// here stops reading while the consumer is behind, so a peer cannot pile up frames in memory.
    /// Returns `false` (dropping the frame) once the queue is closed.
    @discardableResult
    public func put(_ frame: [UInt8], waitingBelow limit: Int) async -> Bool {
        while !closed && buffer.count >= limit {
            await withCheckedContinuation { producers.append($0) }
        }
        return put(frame)
    }

    /// The next frame, or `nil` once the queue is closed and empty.
    public func take() async -> [UInt8]? {
        if !buffer.isEmpty {
            defer { wakeProducers() }
            return buffer.removeFirst()
        }
        if closed { return nil }
        return await withCheckedContinuation { waiter = $0 }
    }

    /// Ends the queue; frames already queued are still taken unless `dropBuffered`.
    public func close(dropBuffered: Bool = false) {
        closed = true
        if dropBuffered { buffer.removeAll() }
        waiter?.resume(returning: nil)
        waiter = nil
        wakeProducers()
    }

    private func wakeProducers() {
        let waiting = producers
        producers = []
        for producer in waiting { producer.resume() }
    }
}
