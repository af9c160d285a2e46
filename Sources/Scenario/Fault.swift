/// A network fault on one device's link to the server, for the next `count` frames that match.
public struct Fault: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        /// The frame is lost; the session stalls and times out.
        case drop
        /// The frame arrives twice.
        case duplicate
        /// The frame arrives after the next frame in the same direction.
        case reorder
        /// The frame arrives `delayMs` late, and the frames behind it in its direction wait for it.
        case delay
        /// The connection breaks at this frame: it is not delivered and the session ends.
        case cut
    }

    /// Which way a frame travels.
    public enum Direction: String, Hashable, Sendable, CaseIterable {
        /// Device to server.
        case up
        /// Server to device.
        case down
        case both
    }

    /// Which frames match.
    public enum FrameKind: String, Hashable, Sendable, CaseIterable {
        case any, hello, welcome, ops, ack, error
    }

    public var kind: Kind
    public var device: String
    public var direction: Direction
    public var frame: FrameKind
    public var count: Int
    public var delayMs: UInt64

    public init(kind: Kind, device: String, direction: Direction = .both, frame: FrameKind = .any, count: Int = 1,
                delayMs: UInt64 = 0) {
        self.kind = kind
        self.device = device
        self.direction = direction
        self.frame = frame
        self.count = count
        self.delayMs = delayMs
    }

    /// Whether this fault takes a frame of `kind` travelling up (device → server) or down.
    func matches(kind: FrameKind, up: Bool) -> Bool {
        (frame == .any || frame == kind) && (direction == .both || (direction == .up) == up)
    }

    /// Takes the first fault of `queue` that matches the frame, using up one of its `count`.
    static func take(from queue: inout [Fault], kind: FrameKind, up: Bool) -> Fault? {
        guard let index = queue.firstIndex(where: { $0.matches(kind: kind, up: up) }) else { return nil }
        let fault = queue[index]
        queue[index].count -= 1
        if queue[index].count <= 0 { queue.remove(at: index) }
        return fault
    }
}
