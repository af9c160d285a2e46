/// A network fault on one device's link to the server, for the next `count` frames that match,
/// after letting the first `skip` of them pass.
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
        /// Only the first half of the frame arrives (``damaged(_:)``): the receiver refuses it,
        /// `frame_truncated`, and the session ends.
        case truncate
        /// One byte in the middle of the frame's payload is flipped: the receiver refuses it
        /// (`frame_checksum`, or `frame_malformed` for a deflated payload that no longer inflates).
        case corrupt
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
    /// Matching frames that pass unharmed before the fault acts (`skip: 1` lets batch 1 through and
    /// hits batch 2).
    public var skip: Int

    public init(kind: Kind, device: String, direction: Direction = .both, frame: FrameKind = .any, count: Int = 1,
                delayMs: UInt64 = 0, skip: Int = 0) {
        self.skip = skip
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

    /// Takes the first fault of `queue` that matches the frame, using up one of its `count`; `nil`
    /// when none matches, or when the first that matches still lets this frame pass (`skip`).
    static func take(from queue: inout [Fault], kind: FrameKind, up: Bool) -> Fault? {
        guard let index = queue.firstIndex(where: { $0.matches(kind: kind, up: up) }) else { return nil }
        guard queue[index].skip == 0 else {
            queue[index].skip -= 1
            return nil
        }
        let fault = queue[index]
        queue[index].count -= 1
        if queue[index].count <= 0 { queue.remove(at: index) }
        return fault
    }

    /// What a `truncate` or `corrupt` fault delivers of a sync frame (the same bytes in both worlds;
    /// live, inside the WebSocket message that carried it). Other faults deliver it unchanged.
    public func damaged(_ frame: [UInt8]) -> [UInt8] {
        switch kind {
        case .truncate:
            return Array(frame.prefix(max(1, frame.count / 2)))
        case .corrupt:
            guard !frame.isEmpty else { return frame }
            var bytes = frame
            // The middle of the payload (past the 24-byte header), or of a frame too short to have one.
            let index = bytes.count > 24 ? 24 + (bytes.count - 24) / 2 : bytes.count / 2
            bytes[index] ^= 0xFF
            return bytes
        default:
            return frame
        }
    }
}
